"""The importer refuses values that convert but cannot be right: dates outside the data's span,
amounts above a ceiling, more decimals than a column holds, blank or control-ridden texts, and
months that would lose most of their rows — and accepts amounts as operator exports write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import test_importer
from test_importer import BILLING_HEAD, GOOD, _bill, checksums, write_csv

from analytics.warehouse import contract
from analytics.warehouse.importer import BadInputError, import_files

# The importer tests' warehouses (an empty one, one holding parents and January's bills).
templates = test_importer.templates
con = test_importer.con
loaded = test_importer.loaded

TODAY = dt.date(2026, 12, 2)


def refused(con, paths, **options) -> BadInputError:
    """The error an import raises; the warehouse must be as before."""
    before = checksums(con)
    with pytest.raises(BadInputError) as caught:
        import_files(con, paths, **options)
    assert checksums(con) == before
    assert "warehouse is unchanged" in caught.value.format()
    return caught.value


def only(error: BadInputError):
    assert len(error.problems) == 1, error.format()
    return error.problems[0]


@pytest.mark.parametrize(
    ("month", "fragment"),
    [
        ("2099-01", "later than plausible (the latest accepted is 2027-01-31)"),
        ("202702", "later than plausible"),  # the month after next
        ("1900-01", "earlier than plausible (the earliest accepted is 2014-01-01, 10 years before 2024-01"),
        ("2013-12", "earlier than plausible"),
    ],
)
def test_billing_months_outside_the_span_are_refused(loaded, tmp_path, month, fragment):
    path = write_csv(tmp_path / "billing_monthly.csv", _bill("A1,202402,P1,1,1,是", f"A2,{month},P1,1,1,是"))
    problem = only(refused(loaded, [path], today=TODAY))
    assert (problem.file, problem.row, problem.line, problem.column) == (str(path), 2, 3, "billing_month")
    assert fragment in problem.reason


def test_months_at_the_edges_of_the_span_go_in(loaded, tmp_path):
    path = write_csv(tmp_path / "billing_monthly.csv", _bill("A1,202701,P1,1,1,是", "A2,201401,P1,1,1,是"))
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 2}


def test_dates_of_every_kind_are_checked_against_today_by_default(loaded, tmp_path):
    later = dt.date.today().year + 5
    accounts = GOOD["accounts"].replace("2019/3/1", f"{later}/3/1").replace("2020-05-06", "1900-05-06")
    error = refused(loaded, [write_csv(tmp_path / "accounts.csv", accounts)])
    assert [(p.row, p.column) for p in error.problems] == [(1, "opened_on"), (2, "opened_on")]
    assert "later than plausible" in error.problems[0].reason
    assert "'1900-05-06'" in error.problems[1].reason and "earlier than plausible" in error.problems[1].reason
    # An agreement may end years ahead (contract.future_years), not a century ahead.
    assert import_files(loaded, [write_csv(tmp_path / "a.csv", GOOD["accounts"].replace("20251231", "20401231"))])
    far = GOOD["accounts"].replace("20251231", "20991231")
    problem = only(refused(loaded, [write_csv(tmp_path / "accounts.csv", far)]))
    assert (problem.row, problem.column) == (1, "agreement_expires_on")


def test_timestamps_in_2099_are_refused(loaded, tmp_path):
    text = GOOD["complaints"].replace("2024-01-08", "2099-01-08 10:00")
    problem = only(refused(loaded, [write_csv(tmp_path / "complaints.csv", text)], today=TODAY))
    assert (problem.row, problem.column) == (2, "opened_at")
    assert "'2099-01-08 10:00:00' 晚于可信范围" in problem.reason


def test_an_empty_warehouse_measures_from_the_current_month(con, tmp_path):
    for name in ("managers", "products", "accounts"):
        import_files(con, [write_csv(tmp_path / f"{name}.csv", GOOD[name])])
    error = refused(con, [write_csv(tmp_path / "billing.csv", _bill("A1,201611,P1,1,1,是"))], today=TODAY)
    assert "earliest accepted is 2016-12-01, 10 years before 2026-12" in only(error).reason


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_amounts_above_the_ceiling_are_refused(loaded, tmp_path, fmt):
    rows = [("A1", "202402", "P1", "999999999999.99", "1", "是"), ("A2", "202402", "P1", "1", "10000001", "是")]
    path = _billing_file(tmp_path, rows, fmt)
    error = refused(loaded, [path])
    assert [(p.row, p.line, p.column) for p in error.problems] == [(1, 2, "revenue_yuan"), (2, 3, "quantity")]
    assert "'999999999999.99' 超过该列的上限 100,000,000" in error.problems[0].reason
    assert "above this column's ceiling of 10,000,000" in error.problems[1].reason
    assert contract.CONTRACTS["billing_monthly"].ceilings["revenue_yuan"] == 100_000_000


def test_the_ceiling_itself_goes_in(loaded, tmp_path):
    path = write_csv(tmp_path / "billing_monthly.csv", _bill("A1,202402,P1,100000000,10000000,是"))
    assert import_files(loaded, [path]) == {"billing_monthly": 1}


def _billing_file(folder, rows, fmt):
    """A billing file holding `rows` (cells as text); XLSX cells typed as Excel would."""
    if fmt == "csv":
        return write_csv(folder / "billing_monthly.csv", _bill(*(",".join(r) for r in rows)))
    book = openpyxl.Workbook()
    book.active.append(BILLING_HEAD.strip().split(","))
    for account, month, product, revenue, quantity, paid in rows:
        book.active.append([account, int(month), product, float(revenue), int(quantity), paid])
    book.save(folder / "billing_monthly.xlsx")
    return folder / "billing_monthly.xlsx"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_more_decimals_than_the_column_holds_are_refused_not_rounded(loaded, tmp_path, fmt):
    if fmt == "parquet":
        path = tmp_path / "billing_monthly.parquet"
        pq.write_table(
            pa.table(
                {
                    "account_id": ["A1"],
                    "billing_month": [dt.date(2024, 2, 1)],
                    "product_id": ["P1"],
                    "revenue_yuan": [12.345],
                    "quantity": [1],
                    "is_group_paid": [True],
                }
            ),
            path,
        )
    else:
        path = _billing_file(tmp_path, [("A1", "202402", "P1", "12.345", "1", "是")], fmt)
    problem = only(refused(loaded, [path]))
    assert (problem.row, problem.column) == (1, "revenue_yuan")
    assert "'12.345' 的小数位多于该列的 2 位" in problem.reason and "it is not rounded" in problem.reason
    products = GOOD["products"].replace("10.5", "10.12345")
    problem = only(refused(loaded, [write_csv(tmp_path / "products.csv", products)]))
    assert (problem.row, problem.column) == (1, "list_price_yuan") and "the 4 this column" in problem.reason


def test_trailing_zeros_and_excel_float_noise_are_not_extra_decimals(loaded, tmp_path):
    path = write_csv(tmp_path / "billing_monthly.csv", _bill("A1,202402,P1,12.340000,1,是"))
    import_files(loaded, [path])
    book = openpyxl.Workbook()
    book.active.append(BILLING_HEAD.strip().split(","))
    book.active.append(["A2", 202403, "P1", 0.1 + 0.2, 1, "是"])  # 0.30000000000000004 in the cell
    book.save(tmp_path / "billing_monthly.xlsx")
    import_files(loaded, [tmp_path / "billing_monthly.xlsx"])
    assert loaded.execute(
        "select account_id, revenue_yuan from billing_monthly where billing_month > '2024-01-01' order by all"
    ).fetchall() == [("A1", Decimal("12.34")), ("A2", Decimal("0.30"))]


def test_amounts_with_thousands_separators_and_yuan_signs_are_numbers(loaded, tmp_path):
    path = write_csv(
        tmp_path / "billing_monthly.csv",
        _bill(
            'A1,202402,P1,"1,234.50","1,200",是',
            "A2,202402,P1,1234元,3,是",
            'A1,202402,P2,"¥1,234,567.5 ",1,否',
        ),
        "utf-8",
    )
    assert import_files(loaded, [path]) == {"billing_monthly": 3}
    assert loaded.execute(
        "select account_id, product_id, revenue_yuan, quantity from billing_monthly "
        "where billing_month = '2024-02-01' order by all"
    ).fetchall() == [
        ("A1", "P1", Decimal("1234.50"), 1200),
        ("A1", "P2", Decimal("1234567.50"), 1),
        ("A2", "P1", Decimal("1234.00"), 3),
    ]
    # A comma that is not a thousands separator, and 元 on a count, stay refused.
    bad = write_csv(tmp_path / "billing_monthly.csv", _bill('A1,202403,P1,"1,5",1,是', "A2,202403,P1,1,3元,是"))
    error = refused(loaded, [bad])
    assert [(p.row, p.column) for p in error.problems] == [(1, "revenue_yuan"), (2, "quantity")]


@pytest.mark.parametrize("blank", ["   ", "\u3000\u3000", " \u3000\t"])
def test_required_text_of_spaces_is_blank(loaded, tmp_path, blank):
    text = f"工号,姓名,区县,团队\nM7,{blank},朝阳,一组\n"
    problem = only(refused(loaded, [write_csv(tmp_path / "managers.csv", text, "utf-8")]))
    assert (problem.row, problem.line, problem.column) == (1, 2, "manager_name")
    assert "required value is blank" in problem.reason


@pytest.mark.parametrize(
    ("char", "code"), [("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\t", "U+0009")]
)
def test_control_characters_in_texts_are_refused(loaded, tmp_path, char, code):
    text = f"工号,姓名,区县,团队\nM7,王{char}五,朝阳,一组\n"
    problem = only(refused(loaded, [write_csv(tmp_path / "managers.csv", text, "utf-8")]))
    assert (problem.row, problem.column) == (1, "manager_name")
    assert f"control character {code} (character 2)" in problem.reason
    assert char not in problem.reason  # shown as \xNN, not written into the message


def test_free_text_keeps_tabs_and_line_breaks_but_not_nul(loaded, tmp_path):
    head = GOOD["interactions"].splitlines()[0]
    good = f'{head}\nI5,A1,M1,2024-01-15,上门,决策人,"第一行\n第二行\t备注",\n'
    assert import_files(loaded, [write_csv(tmp_path / "interactions.csv", good, "utf-8")]) == {"interactions": 1}
    assert loaded.execute("select notes from interactions").fetchone() == ("第一行\n第二行\t备注",)
    path = tmp_path / "interactions.parquet"
    columns = head.split(",")
    values = ["I6", "A1", "M1", "2024-01-15", "上门", "决策人", "记录\x00", ""]
    pq.write_table(pa.table({c: [v] for c, v in zip(columns, values, strict=True)}), path)
    problem = only(refused(loaded, [path]))
    assert (problem.row, problem.line, problem.column) == (1, None, "notes")
    assert "U+0000" in problem.reason
    assert "第 1 行 (row 1), 列 column notes" in refused(loaded, [path]).format()


def test_a_month_shrinking_by_more_than_half_needs_confirming(loaded, tmp_path):
    # The warehouse's January has three rows; a one-row January file would replace them all.
    path = write_csv(tmp_path / "billing_monthly.csv", _bill("A1,202401,P1,5,1,是", "A1,202402,P1,5,1,是"))
    error = refused(loaded, [path])
    problem = only(error)
    assert (problem.file, problem.row, problem.column) == (str(path), None, "billing_month")
    assert "month 2024-01 would shrink from 3 rows to 1 (by 67%, more than 50%)" in problem.reason
    assert "账期 2024-01 将从 3 行减少到 1 行" in problem.reason and "--allow-shrink" in problem.reason
    assert [tuple(s) for s in error.shrinking] == [("billing_monthly", "2024-01", 3, 1)]
    assert import_files(loaded, [path], allow_shrink=True) == {"billing_monthly": 2}
    assert loaded.execute("select count(*) from billing_monthly where billing_month = '2024-01-01'").fetchone() == (1,)


def test_a_month_losing_half_its_rows_or_less_goes_in(loaded, tmp_path):
    members = "集团编号,账期,成员数,新增成员,成员流失,成员离网\nA1,202401,10,1,0,0\nA2,202401,5,0,1,0\n"
    import_files(loaded, [write_csv(tmp_path / "members_monthly.csv", members)])
    one = write_csv(
        tmp_path / "members_monthly.csv", "集团编号,账期,成员数,新增成员,成员流失,成员离网\nA1,202401,9,0,0,0\n"
    )
    assert import_files(loaded, [one]) == {"members_monthly": 1}  # 2 -> 1: exactly half
    assert contract.MAX_MONTH_SHRINK == 0.5
