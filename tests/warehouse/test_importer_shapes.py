"""Files whose shape is wrong — empty, nested Parquet types, bytes of no encoding, malformed CSV
records, overlong lines — are refused in the product's words, naming the file line; and the line
named is the one an editor shows, quoted line breaks, blank lines and Excel blank rows included."""

from __future__ import annotations

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import test_importer
from test_importer import BILLING_HEAD, GOOD, _bill, checksums, write_csv

from analytics.warehouse.importer import BadInputError, import_files

# The importer tests' warehouses (an empty one, one holding parents and January's bills).
templates = test_importer.templates
loaded = test_importer.loaded


def refused(con, paths, **options) -> BadInputError:
    """The error an import raises; the warehouse must be as before."""
    before = checksums(con)
    with pytest.raises(BadInputError) as caught:
        import_files(con, paths, **options)
    assert checksums(con) == before
    message = caught.value.format()
    assert "warehouse is unchanged" in message
    # DuckDB's own reader text stays out of the message.
    assert "Possible fixes" not in message and "Original Line" not in message and "strict_mode" not in message
    return caught.value


def only(error: BadInputError):
    assert len(error.problems) == 1, error.format()
    return error.problems[0]


def test_header_only_xlsx_and_empty_parquet_are_refused(loaded, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(BILLING_HEAD.strip().split(","))
    book.active.append([None] * 6)
    book.save(tmp_path / "billing_monthly.xlsx")
    empty = pa.array([], pa.string())
    pq.write_table(
        pa.table(dict.fromkeys(("manager_id", "manager_name", "district", "team"), empty)),
        tmp_path / "managers.parquet",
    )
    error = refused(loaded, [tmp_path / "billing_monthly.xlsx", tmp_path / "managers.parquet"])
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        (str(tmp_path / "billing_monthly.xlsx"), None, None),
        (str(tmp_path / "managers.parquet"), None, None),
    ]
    assert all("文件只有表头，没有数据行" in p.reason for p in error.problems)


@pytest.mark.parametrize(
    ("values", "kind", "type_fragment"),
    [
        (pa.array([{"zh": "王五", "en": "Wang"}]), "nested", "STRUCT"),
        (pa.array([[("a", 1)]], pa.map_(pa.string(), pa.int64())), "nested", "MAP"),
        (pa.array([[["x"]]]), "nested", "VARCHAR[][]"),
        (pa.array([["王", "五"]]), "list", "VARCHAR[]"),
    ],
)
def test_nested_parquet_columns_are_refused_not_stored_as_text(loaded, tmp_path, values, kind, type_fragment):
    path = tmp_path / "managers.parquet"
    plain = {"manager_id": ["M7"], "district": ["朝阳"], "team": ["一组"]}
    pq.write_table(pa.table({**plain, "manager_name": values}), path)
    problem = only(refused(loaded, [path]))
    assert (problem.file, problem.row, problem.column) == (str(path), None, "manager_name")
    assert type_fragment in problem.reason
    assert ("is nested" if kind == "nested" else "is a list, but this column takes a single value") in problem.reason


def test_a_list_goes_into_a_list_column(loaded, tmp_path):
    head = GOOD["interactions"].splitlines()[0].split(",")
    row = {"I8": None, "A1": None, "M1": None, "2024-01-15 10:00": None, "上门": None, "决策人": None, "记录": None}
    columns = {name: [value] for name, value in zip(head, row, strict=False)}
    columns[head[-1]] = pa.array([["移动办公", "basic_comm"]])
    pq.write_table(pa.table(columns), tmp_path / "interactions.parquet")
    assert import_files(loaded, [tmp_path / "interactions.parquet"]) == {"interactions": 1}
    assert loaded.execute("select needs_found from interactions").fetchone() == (["mobile_office", "basic_comm"],)


def test_a_gbk_file_with_a_stray_byte_names_line_and_offset(loaded, tmp_path):
    path = tmp_path / "managers.csv"
    first = "工号,姓名,区县,团队\nM1,张三,朝阳,一组\n".encode("gbk")
    path.write_bytes(first + b"M2,\x81\x20,x,y\n")
    problem = only(refused(loaded, [path]))
    assert (problem.file, problem.row, problem.line, problem.column) == (str(path), None, 3, None)
    assert f"byte 4 of the line (file offset {len(first) + 3}), 0x81" in problem.reason
    assert "not UTF-8, GBK or GB18030" in problem.reason
    assert "第 3 行 (file line 3)" in refused(loaded, [path]).format()


def test_a_utf8_file_with_a_stray_byte_is_not_read_as_gbk(loaded, tmp_path):
    path = tmp_path / "managers.csv"
    first = "工号,姓名,区县,团队\nM1,张三,朝阳,一组\nM2,李四,海淀,二组\n".encode()
    path.write_bytes(first + "M3,王".encode() + b"\xff,x,y\n")
    problem = only(refused(loaded, [path]))
    assert problem.line == 4
    assert f"the file is UTF-8, but byte 7 of the line (file offset {len(first) + 6}), 0xFF" in problem.reason


ROW = "A1,202401,P1,1,1,是"


@pytest.mark.parametrize(
    ("lines", "row", "line", "fragment"),
    [
        ([ROW, ROW.replace("P1", "P2") + ",x"], 2, 3, "this line has 7 fields where the header has 6"),
        ([ROW, "A2,202401,P1,1"], 2, 3, "this line has 4 fields where the header has 6 (the delimiter is ',')"),
        ([ROW.replace(",", ";")], 1, 2, "this line has 1 field where the header has 6: does it use a delimiter other"),
        ([ROW, 'A2,202401,"P1,1,1,是', ROW], 2, 3, "unterminated quote: the quoted value starting on this line"),
        ([ROW, 'A2,202401,"P1"x,1,1,是'], 2, 3, "misplaced quote"),
        (["", ROW, "", 'A2,202401,"P\n1",1,1,是,x'], 2, 5, "runs over lines 5–6"),
    ],
    ids=["too many fields", "too few fields", "wrong delimiter", "unterminated quote", "misplaced quote", "spans"],
)
def test_a_malformed_record_is_named_by_its_file_line(loaded, tmp_path, lines, row, line, fragment):
    path = write_csv(tmp_path / "billing_monthly.csv", BILLING_HEAD + "\n".join(lines) + "\n")
    problem = only(refused(loaded, [path]))
    assert (problem.file, problem.row, problem.line, problem.column) == (str(path), row, line, None)
    assert fragment in problem.reason
    assert f"第 {line} 行 (file line {line}, data row {row})" in refused(loaded, [path]).format()


def test_an_overlong_field_names_its_line_and_the_limit(loaded, tmp_path):
    notes = "长" * 1_000_000  # 3 MB in UTF-8
    head = GOOD["interactions"].splitlines()[0]
    text = f"{head}\nI1,A1,M1,2024-01-15,上门,决策人,短,\n\nI2,A1,M1,2024-01-15,上门,决策人,{notes},\n"
    problem = only(refused(loaded, [write_csv(tmp_path / "interactions.csv", text, "utf-8")]))
    assert (problem.row, problem.line) == (2, 4)
    assert "line 4 is 3,000,0" in problem.reason and "more than the 2,000,000 a line may hold" in problem.reason


def test_quoted_line_breaks_and_blank_lines_keep_file_lines_right(loaded, tmp_path):
    head = GOOD["interactions"].splitlines()[0]
    text = (
        f"{head}\n"
        'I1,A1,M1,2024-01-15,上门,决策人,"一\n二\n\n三",\n'  # lines 2-5
        "\n"  # line 6, blank
        "I2,A1,M1,2024-01-16,电话,联系人,好,\n"  # line 7
        'I3,A1,M1,2024-01-17,飞鸽,联系人,"x\ny",\n'  # line 8: a bad channel
        "I4,A9,M1,2024-01-18,电话,联系人,好,\n"  # line 10: an unknown account
    )
    error = refused(loaded, [write_csv(tmp_path / "interactions.csv", text, "utf-8")])
    assert [(p.row, p.line, p.column) for p in error.problems] == [(3, 8, "channel"), (4, 10, "account_id")]
    message = error.format()
    assert "第 8 行 (file line 8, data row 3), 列 column channel" in message
    assert "第 10 行 (file line 10, data row 4), 列 column account_id" in message


def test_xlsx_problems_name_the_excel_row_blank_rows_included(loaded, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(BILLING_HEAD.strip().split(","))
    sheet.append(["A1", 202402, "P1", 1, 1, "是"])
    sheet.append([])
    sheet.append([])
    sheet.append(["A2", 202402, "P1", 1, "x", "是"])  # Excel row 5
    book.save(tmp_path / "billing_monthly.xlsx")
    problem = only(refused(loaded, [tmp_path / "billing_monthly.xlsx"]))
    assert (problem.row, problem.line, problem.column) == (4, 5, "quantity")


def test_a_good_file_with_quoted_line_breaks_goes_in_whole(loaded, tmp_path):
    """The line bookkeeping runs only for problems: a clean file is read by DuckDB alone."""
    path = write_csv(tmp_path / "billing_monthly.csv", _bill('"A1",202403,"P1",1,1,是', "", "A2,202403,P1,2,2,否"))
    assert import_files(loaded, [path]) == {"billing_monthly": 2}


def test_parquet_binary_strings_are_read_as_utf8_text_or_refused(loaded, tmp_path):
    """Some writers store strings as plain binary; they are decoded, not stored as b'\\xE7…'."""
    plain = {"manager_id": ["M7", "M8"], "district": ["朝阳", "海淀"], "team": ["一组", "二组"]}
    names = pa.array(["王五".encode(), "赵六".encode()], pa.binary())
    pq.write_table(pa.table({**plain, "manager_name": names}), tmp_path / "managers.parquet")
    assert import_files(loaded, [tmp_path / "managers.parquet"]) == {"managers": 2}
    assert loaded.execute("select manager_name from managers where manager_id = 'M7'").fetchone() == ("王五",)
    broken = pa.array(["王五".encode(), b"\xff\xfe"], pa.binary())
    pq.write_table(pa.table({**plain, "manager_name": broken}), tmp_path / "managers.parquet")
    problem = only(refused(loaded, [tmp_path / "managers.parquet"]))
    assert (problem.row, problem.line, problem.column) == (2, None, "manager_name")
    assert "not UTF-8 text" in problem.reason
