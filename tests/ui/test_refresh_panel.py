"""The refresh from the browser (analytics/ui/refresh.py): started by an admin, run in the
background while the page returns, its outcome shown and audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.ui import jobs
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_admin_refreshes_the_data_in_the_background_and_it_is_audited(scored_copy, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_copy))
    admin = auth.User("admin", "系统管理员", "admin")
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), admin).run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    with db.connect(scored_copy) as con:
        before = con.execute("select max(scored_at) from scores").fetchone()[0]
    next(b for b in at.button if b.label == "刷新数据（构建并评分）").click()
    at.run()
    assert not at.exception
    job = jobs.get("refresh")  # in the background: the page's run has returned already
    assert job is not None and job.started_by == "admin"
    # While it runs, retraining cannot start beside it.
    if job.running:
        assert next(b for b in at.button if b.label == "重新训练模型").disabled
    job.thread.join(timeout=600)
    assert job.error_ref is None, job.error_ref
    at.run()
    assert any("刷新完成" in s.value for s in at.success)
    with db.connect(scored_copy) as con:
        assert con.execute("select max(scored_at) from scores").fetchone()[0] > before
        events = con.execute("select action, object, detail from audit_log where username = 'admin'").fetchall()
    assert any(
        action == "refresh" and obj == "warehouse" and "scored" in (detail or "") for action, obj, detail in events
    )
