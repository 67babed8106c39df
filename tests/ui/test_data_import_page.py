"""The import page (数据导入) through AppTest: opened by a data steward, and its body drawn for real
files written to tmp_path (AppTest cannot upload: the saved uploads are handed to `body` as the
uploader would), through the report, the shrink confirmation, hand mapping and applying."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.views import data_import as view
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
STEWARD = auth.User("steward", "数据管理员", "data_steward")
HEAD = "集团编号,账期,产品编码,收入(元),数量,统付"


def body_script() -> None:
    """The page's body for the uploads named in the session (name, path), as the page draws it."""
    import os
    from pathlib import Path

    import streamlit as st

    from analytics.ui import data_import as ui
    from analytics.views import data_import as view

    ui.applied_note()
    ui.body(os.environ["NEEDSMINE_DB"], [view.Upload(name, Path(p)) for name, p in st.session_state["test_files"]])


def body_app(path: Path, monkeypatch, files: list[tuple[str, Path]]) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_function(body_script, default_timeout=180), STEWARD)
    at.session_state["test_files"] = [(name, str(p)) for name, p in files]
    return at.run()


def bills(path: Path, limit: int, head: str = HEAD, bad: bool = False) -> tuple[str, int, int]:
    """The latest month's first `limit` bills as an operator's CSV (title row, totals row);
    (text, rows in the file, rows of that month in the warehouse)."""
    with db.connect(path) as con:
        month = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        rows = con.execute(
            "select account_id, product_id, revenue_yuan, quantity from billing_monthly where billing_month = ? "
            f"order by all limit {limit:d}",
            [month],
        ).fetchall()
        count = con.execute("select count(*) from billing_monthly where billing_month = ?", [month]).fetchone()[0]
    lines = [f"{month:%Y年%m月}出账明细,,,,,", head]
    for n, (account, product, revenue, quantity) in enumerate(rows):
        account = "NO_SUCH_ACCOUNT" if bad and n == 3 else account
        lines.append(f'{account},{month:%Y%m},{product},"{revenue:,.2f}",{quantity},否')
    lines.append("合计,,,,,")
    return "\n".join(lines) + "\n", len(rows), count


def write(tmp_path: Path, name: str, text: str) -> list[tuple[str, Path]]:
    path = tmp_path / name
    path.write_bytes(text.encode("gbk"))
    return [(name, path)]


def apply_button(at: AppTest):
    return at.button(key="import_apply")


def test_the_steward_opens_the_import_page(scored_path, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), STEWARD)
    at.switch_page("pages/data_import.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "数据导入"
    assert any("导入记录" in s.value for s in at.subheader)


def test_a_bad_row_is_reported_and_nothing_can_be_applied(scored_copy, monkeypatch, tmp_path):
    text, _, _ = bills(scored_copy, 10, bad=True)
    at = body_app(scored_copy, monkeypatch, write(tmp_path, "账单.csv", text))
    assert not at.exception
    assert any("发现 1 个问题" in e.value for e in at.error)
    report = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert report.iloc[0][["file", "row", "column", "value"]].tolist() == [
        "账单.csv",
        6,
        "account_id",
        "NO_SUCH_ACCOUNT",
    ]
    assert apply_button(at).disabled
    assert any("合计" in w.value for w in at.warning)  # the totals row, reported as dropped


def test_a_shrinking_month_asks_for_confirmation_then_applies_and_is_on_record(scored_copy, monkeypatch, tmp_path):
    text, rows, count = bills(scored_copy, 10)
    at = body_app(scored_copy, monkeypatch, write(tmp_path, "出账.csv", text))
    assert not at.exception and not at.error
    assert any("减少" in w.value for w in at.warning)
    assert apply_button(at).disabled
    at.checkbox(key="import_confirm_shrink").check().run()
    assert not apply_button(at).disabled
    apply_button(at).click().run()
    assert not at.exception
    assert any("已导入" in s.value and "billing_monthly 10" in s.value.replace("\\", "") for s in at.success)
    assert any("刷新数据（构建并评分）" in i.value for i in at.info)  # the way to the new figures
    with db.connect(scored_copy) as con:
        month = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        assert (
            con.execute("select count(*) from billing_monthly where billing_month = ?", [month]).fetchone()[0] == rows
        )
        event = con.execute(
            "select username, role, detail from audit_log where object = 'import' order by event_id desc limit 1"
        ).fetchone()
    assert rows < count and event == ("steward", "data_steward", "files: 出账.csv; rows: billing_monthly 10")
    history = next(d.value for d in at.dataframe if "files" in d.value.columns)
    assert history.iloc[0]["files"] == "出账.csv"


def test_an_unknown_header_is_mapped_by_hand_on_the_page(scored_copy, monkeypatch, tmp_path):
    text, _, _ = bills(scored_copy, 10, head=HEAD.replace("集团编号", "客户编码"))
    at = body_app(scored_copy, monkeypatch, write(tmp_path, "export.csv", text))
    assert at.error  # the unknown header, and account_id missing
    (choice,) = [s for s in at.selectbox if s.key and s.key.startswith("import_map_0_")]
    assert "客户编码" in choice.label
    choice.set_value("account_id").run()
    assert not at.exception and not at.error
    mapping = next(d.value for d in at.dataframe if "source_header" in d.value.columns)
    assert mapping.set_index("source_header").loc["客户编码", "target_column"] == "account_id"
    assert mapping.set_index("source_header").loc["客户编码", "how"] == "手工对应"
    assert not view.shrinking(view.ImportPlan(), 0.2)


@pytest.mark.parametrize("user", [auth.User("analyst", "分析员", "analyst"), auth.User("head", "负责人", "head")])
def test_other_roles_cannot_open_the_import_page(scored_path, monkeypatch, user):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
    at.switch_page("pages/data_import.py").run()
    assert at.error and not any(s.key == "import_apply" for s in at.button)


@pytest.mark.slow
def test_a_new_month_imported_then_refreshed_is_what_a_manager_sees_next(scored_copy, monkeypatch, tmp_path):
    """The steward's month end: next month's bills uploaded and applied, then the refresh from the
    same page in the background; a manager signed in meanwhile sees the new month afterwards."""
    from analytics.common.months import add_months
    from analytics.ui import jobs

    with db.connect(scored_copy) as con:
        month = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        rows = con.execute(
            "select account_id, product_id, revenue_yuan, quantity from billing_monthly where billing_month = ? "
            "order by all",
            [month],
        ).fetchall()
        manager = auth.get_user(con, "manager")  # the demo's account manager
    new = add_months(month, 1)
    lines = [HEAD] + [f"{a},{new:%Y%m},{p},{r:.2f},{q},否" for a, p, r, q in rows]
    at = body_app(scored_copy, monkeypatch, write(tmp_path, "账单.csv", "\n".join(lines) + "\n"))
    assert not at.exception and not at.error
    apply_button(at).click().run()
    assert not at.exception

    page = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), STEWARD).run()
    page.switch_page("pages/data_import.py").run()
    mgr = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), manager).run()
    assert not page.exception and not mgr.exception
    assert not any(c.key == "import_refresh_retrain" for c in page.checkbox)  # retraining is for admins
    page.button(key="import_refresh_start").click().run()
    assert not page.exception, page.exception
    job = jobs.get("refresh")
    assert job is not None and job.started_by == "steward"
    mgr.run()  # the manager keeps working meanwhile
    assert not mgr.exception
    job.thread.join(timeout=600)
    assert job.error_ref is None and new in job.result.months_scored
    page.run()
    assert any("刷新完成" in s.value for s in page.success)
    with db.connect(scored_copy) as con:
        assert con.execute("select max(as_of_month) from scores").fetchone()[0] == new
    mgr.run()
    assert not mgr.exception
    months = mgr.selectbox(key="f_month").options
    assert f"{new:%Y-%m}" in months
