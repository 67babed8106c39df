"""Operator exports as they really look (issue 13): title rows above the header, a 合计/总计 row at
the end, months as 202610 / 2026年10月 / 2026-10 / Excel serial days, amounts with thousands
separators or 元, merged header cells in XLSX; and headers mapped by hand, kept for the next
export of the same shape — in the importer itself, so the CLI reads them too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import test_importer
from test_importer import BILLING_HEAD, checksums, write_csv

from analytics.warehouse.importer import BadInputError, check_files, import_files, mappings

templates = test_importer.templates
loaded = test_importer.loaded

TODAY = dt.date(2026, 12, 3)
TITLE = "2026年10月集团客户出账明细,,,,,\n制表单位：XX分公司 政企客户部,,,,,\n,,,,,\n"


def billing(con) -> list[tuple]:
    return con.execute(
        "select account_id, billing_month, product_id, revenue_yuan, quantity from billing_monthly "
        "where billing_month >= '2026-01-01' order by all"
    ).fetchall()


def test_title_rows_above_the_header_are_skipped_and_lines_stay_right(loaded, tmp_path):
    path = write_csv(tmp_path / "出账明细.csv", TITLE + BILLING_HEAD + "A1,202610,P1,100,1,是\nA2,202610,P1,5,1,否\n")
    plan = check_files(loaded, [path], today=TODAY)
    assert plan.error is None
    (report,) = plan.files
    assert (report.table, report.header_line, report.rows) == ("billing_monthly", 4, 2)
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 2}
    assert billing(loaded) == [
        ("A1", dt.date(2026, 10, 1), "P1", Decimal("100.00"), 1),
        ("A2", dt.date(2026, 10, 1), "P1", Decimal("5.00"), 1),
    ]
    # A bad cell below title rows is named by its own file line (title rows and the blank line count).
    bad = write_csv(tmp_path / "出账明细2.csv", TITLE + BILLING_HEAD + "A1,202611,P1,100,1,是\nA2,202611,P1,5,x,否\n")
    before = checksums(loaded)
    with pytest.raises(BadInputError) as caught:
        import_files(loaded, [bad], today=TODAY)
    assert checksums(loaded) == before
    problem = caught.value.problems[0]
    assert (problem.row, problem.line, problem.column, problem.value) == (2, 6, "quantity", "x")


@pytest.mark.parametrize("word", ["合计", "总计", "合 计：", "总　计"])
def test_a_totals_row_at_the_end_is_dropped_and_reported(loaded, tmp_path, word):
    text = BILLING_HEAD + f"A1,202610,P1,100,1,是\nA2,202610,P1,5,1,否\n{word},,,105,2,\n"
    path = write_csv(tmp_path / "billing_monthly.csv", text)
    plan = check_files(loaded, [path], today=TODAY)
    assert plan.error is None, plan.error
    assert plan.files[0].rows == 2 and len(plan.files[0].dropped) == 1
    assert "合计行" in plan.files[0].dropped[0] and "data row 3" in plan.files[0].dropped[0]
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 2}
    # Only the last row: a 合计 among the data is an account id like any other (and refused as unknown).
    inside = write_csv(tmp_path / "b2.csv", BILLING_HEAD + f"{word},202610,P1,1,1,是\nA1,202610,P2,1,1,是\n")
    assert check_files(loaded, [inside], today=TODAY).error is not None


def test_months_as_operators_write_them(loaded, tmp_path):
    serial = (dt.date(2026, 10, 1) - dt.date(1899, 12, 30)).days  # 46296
    path = write_csv(
        tmp_path / "billing_monthly.csv",
        BILLING_HEAD + f"A1,202610,P1,1,1,是\nA1,2026年10月,P2,2,1,是\nA2,2026-10,P1,3,1,是\nA2,{serial},P2,4,1,是\n",
    )
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 4}
    assert {row[1] for row in billing(loaded)} == {dt.date(2026, 10, 1)}
    assert [row[3] for row in billing(loaded)] == [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]
    # A serial day that is not the 1st is refused as a day within a month, not read as another month.
    mid = write_csv(tmp_path / "b.csv", BILLING_HEAD + f"A1,{serial + 14},P1,1,1,是\n")
    error = check_files(loaded, [mid], today=TODAY).error
    assert error is not None and error.problems[0].column == "billing_month"


def test_amounts_with_thousands_separators_or_yuan(loaded, tmp_path):
    path = write_csv(
        tmp_path / "billing_monthly.csv",
        BILLING_HEAD + 'A1,202610,P1,"1,234.50",1,是\nA1,202610,P2,30元,1,是\nA2,202610,P1,"12,345元",1,是\n',
    )
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 3}
    assert [row[3] for row in billing(loaded)] == [Decimal("1234.50"), Decimal("30.00"), Decimal("12345.00")]


def test_xlsx_with_a_merged_title_and_a_two_row_merged_header(loaded, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年10月集团客户出账明细"])
    sheet.append(["集团编号", "账期", "产品编码", "出账", None, "统付"])
    sheet.append([None, None, None, "收入(元)", "数量", None])
    sheet.append(["A1", 202610, "P1", 1234.5, 2, "是"])
    sheet.append(["A2", "2026年10月", "P2", "30元", 1, "否"])
    sheet.append(["合计", None, None, 1264.5, 3, None])
    sheet.merge_cells("A1:F1")
    for column in "ABCF":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:E2")
    path = tmp_path / "出账.xlsx"
    book.save(path)
    plan = check_files(loaded, [path], today=TODAY)
    assert plan.error is None, plan.error
    (report,) = plan.files
    assert report.header_line == 3 and report.table == "billing_monthly"
    assert report.mapping["收入(元)"] == ("revenue_yuan", "contract") and report.mapping["统付"][0] == "is_group_paid"
    assert report.dropped and "第 6 行" in report.dropped[0]  # the Excel row of the totals row
    assert import_files(loaded, [path], today=TODAY) == {"billing_monthly": 2}
    assert billing(loaded) == [
        ("A1", dt.date(2026, 10, 1), "P1", Decimal("1234.50"), 2),
        ("A2", dt.date(2026, 10, 1), "P2", Decimal("30.00"), 1),
    ]


def test_headers_mapped_by_hand_are_kept_for_the_next_export_of_that_shape(loaded, tmp_path):
    head = "客户编码,出账月份,产品编码,收入,数量,统付\n"  # two headers the contract does not know
    first = write_csv(tmp_path / "十月.csv", head + "A1,202610,P1,1,1,是\n")
    plan = check_files(loaded, [first], today=TODAY)
    assert plan.error is not None and plan.files[0].table == "billing_monthly"  # most headers tell
    assert sorted(plan.files[0].unknown) == ["出账月份", "客户编码"]
    hand = {"客户编码": "account_id", "出账月份": "billing_month"}
    assert import_files(loaded, [first], today=TODAY, hand={str(first): hand}) == {"billing_monthly": 1}
    mappings.save(loaded, plan.files[0].shape, "billing_monthly", hand, "steward")
    # Next month's export, columns in another order: mapped as before, with nothing given.
    second = write_csv(tmp_path / "十一月.csv", "收入,客户编码,产品编码,出账月份,数量,统付\n2,A2,P1,202611,1,否\n")
    plan = check_files(loaded, [second], today=TODAY)
    assert plan.error is None, plan.error
    assert plan.files[0].mapping["客户编码"] == ("account_id", "saved")
    assert plan.files[0].mapping["收入"] == ("revenue_yuan", "contract")
    assert import_files(loaded, [second], today=TODAY) == {"billing_monthly": 1}


def test_the_plan_says_what_changes_per_table_and_month(loaded, tmp_path):
    path = write_csv(
        tmp_path / "billing_monthly.csv",
        BILLING_HEAD + "A1,202401,P1,1,1,是\nA1,202610,P1,1,1,是\nA2,202610,P1,1,1,是\n",
    )
    managers = write_csv(tmp_path / "managers.csv", "工号,姓名,区县,团队\nM2,李四,海淀,三组\nM9,钱七,东城,一组\n")
    plan = check_files(loaded, [path, managers], today=TODAY, allow_shrink=True)
    assert plan.error is None
    changes = {(c.table, c.month): (c.before, c.added, c.after) for c in plan.changes}
    assert changes == {
        ("managers", None): (1, 1, 2),  # M2 replaced, M9 added
        ("billing_monthly", "2024-01"): (3, 0, 1),  # January's three rows replaced by one
        ("billing_monthly", "2026-10"): (0, 2, 2),
    }
    # The same shrink without confirmation is a problem; a tighter share refuses a smaller one.
    assert check_files(loaded, [path], today=TODAY).error.shrinking
    two = write_csv(tmp_path / "b2.csv", BILLING_HEAD + "A1,202401,P1,1,1,是\nA1,202401,P2,1,1,是\n")
    assert not check_files(loaded, [two], today=TODAY).error  # 3 -> 2 within the default half
    assert check_files(loaded, [two], today=TODAY, max_shrink=0.2).error.shrinking
