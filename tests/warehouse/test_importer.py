"""The importer: every format and table, replace semantics, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics.warehouse import db
from analytics.warehouse.contract import CONTRACTS
from analytics.warehouse.importer import BadInputError, export_table, import_files
from analytics.warehouse.importer.columns import header_map, table_spec

# One small, valid file per importable table, with Chinese headers as operator exports have.
GOOD = {
    "managers": "工号,姓名,区县,团队\nM1,张三,朝阳,一组\nM2,李四,海淀,二组\n",
    "products": (
        "产品编码,产品名称,信息化领域,计费单位,标准资费（元）\n"
        "P1,集团V网,基础通信,按成员/月,10.5\nP2,云视讯,mobile_office,按账号/月,30\n"
    ),
    "accounts": (
        "集团编号,集团名称,行业,区县,价值等级,重要集团,客户经理,员工数,单位性质,入网日期,"
        "协议到期,状态,销户日期\n"
        "A1,甲公司,制造业,朝阳,A,是,M1,120,国有企业,2019/3/1,20251231,在网,\n"
        "A2,乙学校,教育,海淀,B,否,M2,40,事业单位,2020-05-06,,销户,2024-02-01\n"
    ),
    "contacts": (
        "关键人编号,集团编号,姓名,电话,角色,部门,使用运营商\n"
        "C1,A1,王五,13800000000,决策人,办公室,移动\nC2,A2,赵六,,联系人,,中国电信\n"
    ),
    "billing_monthly": (
        "集团编号,账期,产品编码,收入(元),数量,统付\n"
        "A1,202401,P1,100.50,10,统付\nA1,2024-01,P2,30,1,个付\nA2,2024/01,P1,0,5,是\n"
    ),
    "members_monthly": ("集团编号,账期,成员数,新增成员,成员流失,成员离网\nA1,2024-01-01,10,1,0,0\nA2,202401,5,0,1,0\n"),
    "interactions": (
        "走访编号,集团编号,客户经理,走访时间,方式,接触对象,走访记录,发现需求\n"
        'I1,A1,M1,2024-01-15 10:30,上门,决策人,"要视频会议, 还有专线",移动办公；基础通信\n'
        "I2,A2,M2,2024/1/20,电话,联系人,无明显需求,\n"
    ),
    "competitor_reports": (
        "上报编号,客户经理,集团编号,竞争对手,信息类别,发现时间,上报时间,内容\n"
        "R1,M1,A1,电信,资费,2024-01-10,2024-01-11 09:00:00,电信报价低两成\n"
        "R2,M2,,联通,产品,20240105,20240105,推云电脑\n"
    ),
    "profile_updates": (
        "更新编号,集团编号,资料类别,更新时间,更新人\n"
        "U1,A1,基本资料,2024-01-05 08:00:00,M1\nU2,A2,personal,2024-01-06,M2\n"
    ),
    "complaints": (
        "投诉编号,集团编号,投诉时间,投诉类别,严重程度,解决时间\n"
        "K1,A1,2024-01-03 09:00,网络质量,严重,2024-01-04 18:00\nK2,A2,2024-01-08,资费账单,一般,\n"
    ),
}
PARENTS = ("managers", "products", "accounts")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Warehouse files copied by each test: empty, holding the parents and billing, full."""
    folder = tmp_path_factory.mktemp("templates")
    contents = {"empty": (), "loaded": (*PARENTS, "billing_monthly"), "full": tuple(GOOD)}
    paths = {}
    for name, tables in contents.items():
        paths[name] = folder / f"{name}.duckdb"
        connection = db.connect(paths[name])
        db.create_schema(connection)
        if tables:
            import_good(connection, folder, tables)
        connection.close()
    return paths


def _open_copy(template: Path, folder: Path):
    folder.mkdir(exist_ok=True)
    target = folder / "w.duckdb"
    shutil.copyfile(template, target)
    return db.connect(target)


@pytest.fixture
def con(templates, tmp_path: Path):
    """An empty warehouse."""
    connection = _open_copy(templates["empty"], tmp_path)
    yield connection
    connection.close()


@pytest.fixture
def loaded(templates, tmp_path: Path):
    """A warehouse holding GOOD managers, products, accounts and billing_monthly."""
    connection = _open_copy(templates["loaded"], tmp_path)
    yield connection
    connection.close()


@pytest.fixture
def full(templates, tmp_path: Path):
    """A warehouse holding every GOOD table."""
    connection = _open_copy(templates["full"], tmp_path)
    yield connection
    connection.close()


def write_csv(path: Path, text: str, encoding: str = "gbk") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _excel_value(text: str) -> object:
    """A cell as Excel would type it: numbers and dates become numbers and dates."""
    for parse in (int, float, dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


def write_file(con, folder: Path, table: str, text: str, fmt: str) -> Path:
    """Write one table's CSV text in the format under test."""
    if fmt in ("gbk", "gb18030", "utf-8-sig", "utf-8"):
        return write_csv(folder / f"{table}.csv", text, fmt)
    source = write_csv(folder / f"{table}.source.csv", text, "utf-8")
    if fmt == "parquet":
        target = folder / f"{table}.parquet"
        con.execute(
            "copy (select * from read_csv($p, all_varchar = true, header = true)) to $t",
            {"p": str(source), "t": str(target)},
        )
        return target
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = table
    sheet.append(text.splitlines()[0].split(","))
    for line in duckdb.read_csv(str(source), all_varchar=True, header=True).fetchall():
        sheet.append([None if v is None else _excel_value(v) for v in line])
    target = folder / f"{table}.xlsx"
    book.save(target)
    return target


def checksums(con) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row, per input table."""
    return {t: con.execute(f"select count(*), sum(hash(x)) from {t} as x").fetchone() for t in db.INPUT_TABLES}


def import_good(con, folder: Path, tables=PARENTS, fmt: str = "gbk") -> dict[str, int]:
    return import_files(con, [write_file(con, folder, t, GOOD[t], fmt) for t in tables])


@pytest.mark.parametrize("fmt", ["gbk", "gb18030", "utf-8-sig", "xlsx", "parquet"])
def test_imports_every_table_in_one_call(con, tmp_path, fmt):
    written = import_good(con, tmp_path, tuple(GOOD), fmt)
    assert written == {t: len(GOOD[t].splitlines()) - 1 for t in GOOD}

    def one(sql):
        return con.execute(sql).fetchone()

    assert one(
        "select opened_on, agreement_expires_on, is_key_account, closed_on from accounts where account_id = 'A1'"
    ) == (dt.date(2019, 3, 1), dt.date(2025, 12, 31), True, None)
    assert one("select status, closed_on, agreement_expires_on from accounts where account_id = 'A2'") == (
        "销户",
        dt.date(2024, 2, 1),
        None,
    )
    assert con.execute(
        "select billing_month, revenue_yuan, is_group_paid from billing_monthly order by revenue_yuan"
    ).fetchall() == [
        (dt.date(2024, 1, 1), Decimal("0.00"), True),
        (dt.date(2024, 1, 1), Decimal("30.00"), False),
        (dt.date(2024, 1, 1), Decimal("100.50"), True),
    ]
    assert con.execute("select area, billing_unit, list_price_yuan from products order by product_id").fetchall() == [
        ("basic_comm", "member_month", Decimal("10.5000")),
        ("mobile_office", "seat_month", Decimal("30.0000")),
    ]
    assert con.execute(
        "select occurred_at, notes, needs_found from interactions order by interaction_id"
    ).fetchall() == [
        (dt.datetime(2024, 1, 15, 10, 30), "要视频会议, 还有专线", ["mobile_office", "basic_comm"]),
        (dt.datetime(2024, 1, 20), "无明显需求", []),
    ]
    assert con.execute(
        "select account_id, competitor, observed_at from competitor_reports order by report_id"
    ).fetchall() == [
        ("A1", "中国电信", dt.datetime(2024, 1, 10)),
        (None, "中国联通", dt.datetime(2024, 1, 5)),
    ]
    assert con.execute(  # title: a nullable column the file does not have
        "select phone, carrier, title from contacts order by contact_id"
    ).fetchall() == [("13800000000", "中国移动", None), (None, "中国电信", None)]
    assert one("select kind from profile_updates where update_id = 'U1'") == ("basic",)
    assert one("select resolved_at from complaints where complaint_id = 'K2'") == (None,)
    assert one("select member_count, left_group_count from members_monthly where account_id = 'A2'") == (5, 1)


def test_progress_reports_each_step(con, tmp_path):
    lines: list[str] = []
    import_files(con, [write_csv(tmp_path / "managers.csv", GOOD["managers"])], progress=lines.append)
    assert any("managers.csv" in line for line in lines)
    assert "完成 / done: managers 2" in lines[-1]


def test_reimporting_a_month_replaces_it(loaded, tmp_path):
    con = loaded
    write_csv(
        tmp_path / "billing_202402.csv",
        "集团编号,账期,产品编码,收入,数量,统付\nA1,202402,P1,7,1,否\n",
    )
    import_files(con, [tmp_path / "billing_202402.csv"], table="billing_monthly")
    # January again, with one row fewer and a new amount: January's rows are replaced.
    write_csv(
        tmp_path / "billing_monthly_202401.csv",
        "集团编号,账期,产品编码,收入,数量,统付\nA1,2024-01,P1,200,20,是\nA2,202401,P1,1,1,否\n",
    )
    import_files(con, [tmp_path / "billing_monthly_202401.csv"])
    assert con.execute(
        "select account_id, billing_month, revenue_yuan from billing_monthly order by all"
    ).fetchall() == [
        ("A1", dt.date(2024, 1, 1), Decimal("200.00")),
        ("A1", dt.date(2024, 2, 1), Decimal("7.00")),
        ("A2", dt.date(2024, 1, 1), Decimal("1.00")),
    ]


def test_reimporting_entities_upserts_by_key(loaded, tmp_path):
    con = loaded
    write_csv(tmp_path / "managers.csv", "工号,姓名,区县,团队\nM2,李四,海淀,三组\nM3,钱七,东城,一组\n")
    assert import_files(con, [tmp_path / "managers.csv"]) == {"managers": 2}
    assert con.execute("select manager_id, team from managers order by all").fetchall() == [
        ("M1", "一组"),
        ("M2", "三组"),
        ("M3", "一组"),
    ]


@pytest.mark.parametrize(
    ("name", "text", "table"),
    [
        ("账单_2024-01.csv", GOOD["billing_monthly"], "billing_monthly"),  # file-name alias
        ("export (3).csv", GOOD["billing_monthly"], "billing_monthly"),  # told by the header
        ("export.csv", GOOD["members_monthly"], "members_monthly"),
        ("集团成员202401.csv", GOOD["members_monthly"], "members_monthly"),
        ("anything.txt", GOOD["managers"].replace(",", "\t"), "managers"),  # tab-separated
    ],
)
def test_finds_the_table_from_name_or_header(loaded, tmp_path, name, text, table):
    con = loaded
    rows = len(text.splitlines()) - 1
    assert import_files(con, [write_csv(tmp_path / name, text)]) == {table: rows}


def test_header_only_file_is_refused(con, tmp_path):
    path = write_csv(tmp_path / "complaints.csv", GOOD["complaints"].splitlines()[0] + "\n")
    with pytest.raises(BadInputError) as caught:
        import_files(con, str(path))
    assert caught.value.problems[0][:3] == (str(path), None, None)
    assert "header but no data rows" in caught.value.problems[0].reason


def test_xlsx_sheet_named_like_the_table_is_read(loaded, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本文件由系统导出"])
    sheet = book.create_sheet("账单")
    for line in _bill("A1,202405,P1,9.9,2,是").splitlines():
        sheet.append(line.split(","))
    book.save(tmp_path / "export.xlsx")
    assert import_files(loaded, [tmp_path / "export.xlsx"]) == {"billing_monthly": 1}
    assert loaded.execute("select revenue_yuan from billing_monthly where billing_month = '2024-05-01'").fetchone() == (
        Decimal("9.90"),
    )


def test_blank_padding_and_full_width_spaces_are_trimmed(loaded, tmp_path):
    con = loaded
    con.execute("delete from billing_monthly")
    write_csv(
        tmp_path / "billing.csv",
        " 集团编号 ,账期,产品编码,收入,数量,统付\n A1\u3000,\t2024-03 , P1 , 1.5 , 3 , 是 \n",
        "utf-8",
    )
    import_files(con, [tmp_path / "billing.csv"], table="billing_monthly")
    assert con.execute("select * from billing_monthly").fetchall() == [
        ("A1", dt.date(2024, 3, 1), "P1", Decimal("1.50"), 3, True)
    ]


BILLING_HEAD = "集团编号,账期,产品编码,收入,数量,统付\n"


def _bill(*rows: str) -> str:
    return BILLING_HEAD + "".join(f"{r}\n" for r in rows)


# (id, file name, content, row, column, fragment of the reason); content None: no file.
# fmt: off
BAD = [
    ("missing column", "billing_monthly.csv",
     "集团编号,账期,产品编码,数量,统付\nA1,202401,P1,1,是\n",
     None, "revenue_yuan", "required column missing"),
    ("unknown column", "billing_monthly.csv",
     BILLING_HEAD.strip() + ",备注2\nA1,202401,P1,1,1,是,x\n", None, "备注2", "unknown column"),
    ("wrong type", "billing_monthly.csv", _bill("A1,202401,P1,1,1,是", "A2,202401,P1,1,abc,是"),
     2, "quantity", "'abc' 不是整数 / not a whole number"),
    ("fraction for integer", "billing_monthly.csv", _bill("A1,202401,P1,1,2.5,是"),
     1, "quantity", "'2.5' 不是整数"),
    ("bad number", "billing_monthly.csv", _bill('A1,202401,P1,"12,34",1,是'),
     1, "revenue_yuan", "'12,34' 不是有效数字"),
    ("bad boolean", "billing_monthly.csv", _bill("A1,202401,P1,1,1,也许"),
     1, "is_group_paid", "'也许' 不是 是/否 值"),
    ("required blank", "billing_monthly.csv", _bill("A1,202401,P1,,1,是"),
     1, "revenue_yuan", "required value is blank"),
    ("bad enum", "contacts.csv", GOOD["contacts"].replace("联系人", "老板"),
     2, "role", "'老板' 不是允许的值 / not an allowed value"),
    ("bad enum in list", "interactions.csv", GOOD["interactions"].replace("基础通信", "物联网"),
     1, "needs_found", "含有不允许的值"),
    ("impossible date", "accounts.csv", GOOD["accounts"].replace("2020-05-06", "2024-02-30"),
     2, "opened_on", "'2024-02-30' 不是有效日期 / not a valid date"),
    ("impossible month", "billing_monthly.csv", _bill("A1,202413,P1,1,1,是"),
     1, "billing_month", "'202413' 不是有效月份"),
    ("day for a month", "billing_monthly.csv", _bill("A1,2024-01-15,P1,1,1,是"),
     1, "billing_month", "'2024-01-15' 应为月份"),
    ("bad timestamp", "complaints.csv", GOOD["complaints"].replace("2024-01-08", "1月8日"),
     2, "opened_at", "'1月8日' 不是有效时间"),
    ("date order", "accounts.csv", GOOD["accounts"].replace("2024-02-01", "2019-01-01"),
     2, "closed_on", "'2019-01-01' 早于 opened_on '2020-05-06'"),
    ("timestamp order", "competitor_reports.csv",
     GOOD["competitor_reports"].replace("2024-01-11 09:00:00", "2024-01-09"),
     1, "reported_at", "早于 observed_at"),
    ("duplicate keys", "billing_monthly.csv",
     _bill("A1,202401,P1,1,1,是", "A2,202401,P1,1,1,是", "A1,2024-01,P1,2,2,否"),
     3, "account_id",
     "duplicate key (account_id, billing_month, product_id) = 'A1, 2024-01-01, P1', "
     "同 same as 第 1 行"),
    ("unknown account", "billing_monthly.csv", _bill("A1,202401,P1,1,1,是", "A9,202401,P1,1,1,是"),
     2, "account_id", "'A9' 在 accounts 中不存在 / not found in accounts"),
    ("unknown product", "billing_monthly.csv", _bill("A1,202401,P9,1,1,是"),
     1, "product_id", "'P9' 在 products 中不存在"),
    ("unknown optional reference", "competitor_reports.csv",
     GOOD["competitor_reports"].replace(",M2,,", ",M2,A7,"),
     2, "account_id", "'A7' 在 accounts 中不存在"),
    ("negative revenue", "billing_monthly.csv", _bill("A1,202401,P1,-5,1,是"),
     1, "revenue_yuan", "'-5.00' 不能为负数 / must not be negative"),
    ("negative employees", "accounts.csv", GOOD["accounts"].replace(",120,", ",-3,"),
     1, "employee_count", "'-3' 不能为负数"),
    ("unparseable", "billing_monthly.csv", _bill('A1,202401,P1,1,1,是,"x'),
     1, None, "unterminated quote"),
    ("not gbk", "managers.csv", None, None, None, "not UTF-8, GBK or GB18030"),
    ("missing file", "nothing_here.csv", None, None, None, "file not found"),
    ("unknown table", "export.csv", "甲,乙\n1,2\n", None, None, "cannot tell which table"),
    ("empty file", "managers.csv", "", None, None, "empty file"),
    ("old excel", "managers.xls", "x", None, None, "unsupported file type"),
]
# fmt: on


@pytest.mark.parametrize(("name", "text", "row", "column", "fragment"), [pytest.param(*c[1:], id=c[0]) for c in BAD])
def test_bad_input_is_named_and_changes_nothing(loaded, tmp_path, name, text, row, column, fragment):
    con = loaded
    before = checksums(con)
    path = tmp_path / name
    if text is not None:
        write_csv(path, text)
    elif "gbk" in fragment.lower():
        path.write_bytes("工号,姓名\n".encode("gbk") + b"\x81\x20\xff\n")
    with pytest.raises(BadInputError) as caught:
        import_files(con, [path], allow_shrink=True)  # one-row months of three: not what is tested
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), row, column)
    assert fragment in problem.reason
    message = caught.value.format()
    assert str(path) in message and fragment in message
    if row is not None:  # no quoted line breaks nor blank lines: data row n is on line n + 1
        assert problem.line == row + 1
        assert f"第 {row + 1} 行 (file line {row + 1}, data row {row})" in message
    if column is not None:
        assert f"列 column {column}" in message
    assert "warehouse is unchanged" in message
    assert checksums(con) == before


def test_bad_second_file_leaves_first_unwritten(loaded, tmp_path):
    con = loaded
    before = checksums(con)
    managers = write_csv(tmp_path / "managers.csv", "工号,姓名,区县,团队\nM5,孙八,西城,一组\n")
    accounts = write_csv(tmp_path / "accounts.csv", GOOD["accounts"].replace("A2,", "A3,").replace(",M1,", ",M5,"))
    bad = write_csv(tmp_path / "billing_monthly.csv", BILLING_HEAD + "A3,202401,P1,1,x,是\n")
    with pytest.raises(BadInputError) as caught:
        import_files(con, [managers, accounts, bad], allow_shrink=True)
    assert [p.file for p in caught.value.problems] == [str(bad)]
    assert checksums(con) == before
    # The same files without the bad one go in, children resolving to parents of the same call.
    assert import_files(con, [accounts, managers]) == {"managers": 1, "accounts": 2}


def test_failure_while_writing_rolls_everything_back(loaded, tmp_path):
    con = loaded
    before = checksums(con)

    class FailingOnBilling:
        """The connection, except that inserting billing rows fails midway through the write."""

        def __getattr__(self, name):
            return getattr(con, name)

        def execute(self, sql, *args):
            if sql.startswith('insert into "billing_monthly"'):
                raise duckdb.IOException("disk full")
            return con.execute(sql, *args)

    files = [
        write_csv(tmp_path / "managers.csv", "工号,姓名,区县,团队\nM1,新名字,朝阳,一组\n"),
        write_csv(tmp_path / "billing_monthly.csv", BILLING_HEAD + "A1,202401,P1,1,1,是\n"),
    ]
    with pytest.raises(duckdb.IOException):
        import_files(FailingOnBilling(), files, allow_shrink=True)
    assert checksums(con) == before
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)


def test_error_keeps_a_sample_and_counts_all(loaded, tmp_path):
    con = loaded
    rows = "".join(f"A1,2024{m:02d},P1,-1,1,是\n" for m in range(1, 13)) + "".join(
        f"A1,2023{m:02d},P1,1,x,是\n" for m in range(1, 13)
    )
    rows = "".join(f"A{n},202401,P1,1,1,是\n" for n in range(3, 103)) + rows
    with pytest.raises(BadInputError) as caught:
        import_files(con, [write_csv(tmp_path / "billing_monthly.csv", BILLING_HEAD + rows)])
    error = caught.value
    assert error.total == 100 + 12 + 12
    assert len(error.problems) == 50
    assert [p.row for p in error.problems] == sorted(p.row for p in error.problems)
    text = error.format(limit=3)
    assert text.count("\n  ") == 4  # three problems and the "more" line
    assert "另有 121 个问题 / 121 more" in text
    assert text.endswith("共 124 个问题 / 124 problems in all")


@pytest.mark.parametrize(("chinese", "encoding"), [(True, "gbk"), (False, "utf-8")])
def test_export_reimports_to_the_same_rows(full, templates, tmp_path, chinese, encoding):
    con = full
    before = checksums(con)
    out = tmp_path / "out"
    out.mkdir()
    for table in GOOD:
        export_table(con, table, out / f"{table}.csv", chinese_headers=chinese, encoding=encoding)
    header = (out / "accounts.csv").read_bytes().decode(encoding).splitlines()[0]
    assert header.startswith("集团编号,集团名称" if chinese else "account_id,account_name")
    fresh = _open_copy(templates["empty"], tmp_path / "fresh")
    import_files(fresh, [out / f"{table}.csv" for table in GOOD])
    assert checksums(fresh) == before
    fresh.close()


def test_export_refuses_characters_the_encoding_lacks(loaded, tmp_path):
    con = loaded
    con.execute("update managers set manager_name = '😀' where manager_id = 'M1'")
    with pytest.raises(ValueError, match="gb18030"):
        export_table(con, "managers", tmp_path / "m.csv", encoding="gbk")
    assert not list(tmp_path.glob("*m.csv*"))
    export_table(con, "managers", tmp_path / "m.csv", encoding="gb18030")
    assert "😀" in (tmp_path / "m.csv").read_text(encoding="gb18030")


def test_warehouse_parquet_round_trips(full, templates, tmp_path):
    """Typed Parquet (enums, lists, dates, decimals) as DuckDB writes it imports as is."""
    con = full
    before = checksums(con)
    for table in GOOD:
        con.execute(f"copy {table} to $p", {"p": str(tmp_path / f"{table}.parquet")})
    fresh = _open_copy(templates["empty"], tmp_path / "fresh")
    import_files(fresh, [tmp_path / f"{table}.parquet" for table in GOOD])
    assert checksums(fresh) == before
    fresh.close()


def test_contract_headers_are_unambiguous(con):
    for table in CONTRACTS:
        header_map(table_spec(con, table))  # raises on an alias naming two columns


def test_unknown_table_argument(con, tmp_path):
    with pytest.raises(BadInputError, match="retention_actions"):
        import_files(con, [write_csv(tmp_path / "x.csv", "a\n1\n")], table="retention_actions")
