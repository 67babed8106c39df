"""The import page's logic (analytics/views/data_import.py) on the demo warehouse, with real files
as operators export them (title rows, a totals row, GBK, 202611 months) written to tmp_path."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics.views import data_import as view
from analytics.warehouse import db
from analytics.warehouse.importer import BadInputError

HEAD = "集团编号,账期,产品编码,收入(元),数量,统付"


@pytest.fixture()
def con(scored_copy):
    connection = db.connect(scored_copy)
    yield connection
    connection.close()


def latest(con) -> dt.date:
    return con.execute("select max(billing_month) from billing_monthly").fetchone()[0]


def month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def export_text(con, month: dt.date, as_month: str, limit: int | None = None) -> tuple[str, int]:
    """The month's bills as an operator's CSV: two title rows, amounts with separators and 元, a
    totals row at the end; (text, data rows)."""
    rows = con.execute(
        "select account_id, product_id, revenue_yuan, quantity, is_group_paid from billing_monthly "
        "where billing_month = ? order by account_id, product_id" + (f" limit {limit:d}" if limit else ""),
        [month],
    ).fetchall()
    lines = [f"{as_month} 集团客户出账明细,,,,,", "制表：政企客户部,,,,,", HEAD]
    for account, product, revenue, quantity, paid in rows:
        lines.append(f'{account},{as_month},{product},"{revenue:,.2f}元",{quantity},{"是" if paid else "否"}')
    total = sum(r[2] for r in rows)
    lines.append(f'合计,,,"{total:,.2f}",,')
    return "\n".join(lines) + "\n", len(rows)


def upload(tmp_path, name: str, text: str) -> list[view.Upload]:
    return view.save_uploads(tmp_path / "uploads", [(name, text.encode("gbk"))])


def test_a_month_of_operator_exports_is_checked_summarised_applied_and_on_record(con, tmp_path):
    month = latest(con)
    new = month_after(month)
    text, rows = export_text(con, month, f"{new:%Y%m}")
    files = upload(tmp_path, f"{new:%Y年%m月}出账.csv", text)
    today = month_after(new)
    plan = view.check(con, files, today=today)
    assert plan.error is None, plan.error
    (report,) = plan.files
    assert (report.table, report.header_line, report.rows) == ("billing_monthly", 3, rows)
    assert len(view.dropped_rows(plan)) == 1 and "合计" in view.dropped_rows(plan)[0][1]
    mapping = view.mapping_frame(plan)
    assert dict(zip(mapping["source_header"], mapping["target_column"], strict=True))["收入(元)"] == "revenue_yuan"
    assert set(mapping["how"]) == {"contract"}
    changes = view.changes_frame(plan)
    assert changes.to_dict("records") == [
        {
            "table": "billing_monthly",
            "month": f"{new:%Y-%m}",
            "rows_replaced": 0,
            "rows_added": rows,
            "rows_imported": rows,
        }
    ]
    assert view.shrinking(plan, 0.2) == []
    before = con.execute("select count(*) from billing_monthly").fetchone()[0]
    written = view.apply(con, files, username="steward", role="data_steward", reports=plan.files, today=today)
    assert written == {"billing_monthly": rows}
    assert con.execute("select count(*) from billing_monthly").fetchone()[0] == before + rows
    assert (
        con.execute("select sum(revenue_yuan) from billing_monthly where billing_month = ?", [new]).fetchone()
        == con.execute("select sum(revenue_yuan) from billing_monthly where billing_month = ?", [month]).fetchone()
    )
    history = view.history(con)
    first = history.iloc[0]
    assert (first["username"], first["role"]) == ("steward", "data_steward")
    assert first["files"] == f"{new:%Y年%m月}出账.csv" and first["rows"] == f"billing_monthly {rows:,}"


def test_one_bad_row_changes_nothing_and_is_reported_with_file_row_column_value(con, tmp_path):
    month = latest(con)
    text, _ = export_text(con, month, f"{month:%Y-%m}", limit=50)
    lines = text.splitlines()
    account = lines[10].split(",")[0]
    lines[10] = lines[10].replace(account, "NO_SUCH_ACCOUNT", 1)  # file line 11
    files = upload(tmp_path, "账单.csv", "\n".join(lines) + "\n")
    plan = view.check(con, files)
    assert plan.error is not None
    frame = view.problems_frame(plan.error)
    record = frame.iloc[0].to_dict()
    assert record["file"] == "账单.csv" and record["row"] == 11 and record["column"] == "account_id"
    assert record["value"] == "NO_SUCH_ACCOUNT" and "not found in accounts" in record["reason"]
    # The Excel report holds the same rows under the page's headers.
    headers = {"file": "文件", "row": "行", "column": "列", "value": "值", "reason": "原因"}
    sheet = openpyxl.load_workbook(io.BytesIO(view.problems_xlsx(frame, headers))).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("文件", "行", "列", "值", "原因")
    assert cells[1][:4] == ("账单.csv", 11, "account_id", "NO_SUCH_ACCOUNT")
    before = con.execute("select count(*), sum(hash(b)) from billing_monthly as b").fetchone()
    with pytest.raises(BadInputError):
        view.apply(con, files, username="steward", role="data_steward", allow_shrink=True)
    assert con.execute("select count(*), sum(hash(b)) from billing_monthly as b").fetchone() == before
    assert view.history(con).empty  # nothing applied, nothing in the import history


def test_a_month_shrinking_past_the_share_needs_confirmation(con, tmp_path):
    month = latest(con)
    count = con.execute("select count(*) from billing_monthly where billing_month = ?", [month]).fetchone()[0]
    keep = int(count * 0.7)  # 30 % fewer rows: past 20 %, within the CLI's 50 %
    text, rows = export_text(con, month, f"{month:%Y年%m月}", limit=keep)
    files = upload(tmp_path, "billing.csv", text)
    plan = view.check(con, files)
    assert plan.error is None
    (shrink,) = view.shrinking(plan, 0.2)
    assert (shrink.before, shrink.after) == (count, rows)
    assert view.shrinking(plan, 0.5) == []
    with pytest.raises(BadInputError) as caught:
        view.apply(con, files, username="steward", role="data_steward", max_shrink=0.2)
    assert caught.value.shrinking
    assert con.execute("select count(*) from billing_monthly where billing_month = ?", [month]).fetchone()[0] == count
    view.apply(con, files, username="steward", role="data_steward", max_shrink=0.2, allow_shrink=True)
    assert con.execute("select count(*) from billing_monthly where billing_month = ?", [month]).fetchone()[0] == rows


def test_headers_mapped_on_the_page_are_used_next_month(con, tmp_path):
    month = latest(con)
    text, rows = export_text(con, month, f"{month:%Y%m}", limit=20)
    odd = text.replace("集团编号", "客户编码").replace("统付", "付费标记")
    files = upload(tmp_path, "export.csv", odd)
    plan = view.check(con, files)
    assert plan.error is not None and plan.files[0].table == "billing_monthly"
    assert sorted(plan.files[0].unknown) == sorted(["客户编码", "付费标记"])
    assert "account_id" in view.columns_of(con, "billing_monthly")
    hand = {"export.csv": {"客户编码": "account_id", "付费标记": "is_group_paid"}}
    plan = view.check(con, files, hand=hand)
    assert plan.error is None, plan.error
    assert {m[1] for m in plan.files[0].mapping.values()} == {"contract", "hand"}
    view.apply(con, files, username="steward", role="data_steward", hand=hand, reports=plan.files, allow_shrink=True)
    # Next month's export of the same shape, under another name: mapped as kept, nothing chosen.
    again = upload(tmp_path / "next", "十二月.csv", odd)
    plan = view.check(con, again)
    assert plan.error is None, plan.error
    frame = view.mapping_frame(plan)
    assert dict(zip(frame["source_header"], frame["how"], strict=True))["客户编码"] == "saved"


def test_upload_names_stay_names(tmp_path):
    saved = view.save_uploads(tmp_path, [("../../etc/passwd", b"x"), ("a.csv", b"1"), ("a.csv", b"2")])
    assert [u.path.name for u in saved] == ["passwd", "a.csv", "a.csv"]
    assert all(tmp_path in u.path.parents for u in saved)
    assert saved[1].path != saved[2].path and saved[2].path.read_bytes() == b"2"
