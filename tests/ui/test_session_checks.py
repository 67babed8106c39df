"""Every rerun of an open tab checks its user again (issue 14), and a failure reaches the user as
a plain message with a reference number, its traceback only in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.common import logs
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


def _signed_in_app(path: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(auth.DEMO_PASSWORD)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click()
    at.run()
    assert at.session_state["_user"].username == username
    return at


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda con: auth.set_active(con, "analyst", False), id="deactivated"),
        pytest.param(lambda con: auth.add_user(con, "analyst", auth.DEMO_PASSWORD, "admin"), id="role changed"),
        pytest.param(lambda con: auth.set_password(con, "analyst", "a-new-password"), id="password changed"),
        pytest.param(lambda con: auth.end_sessions(con, "analyst"), id="sessions ended by an admin"),
    ],
)
def test_an_open_tab_is_signed_out_on_its_next_rerun_when_its_user_changed(scored_copy, monkeypatch, change):
    at = _signed_in_app(scored_copy, monkeypatch, "analyst")
    with db.connect(scored_copy) as con:
        change(con)
    at.run()
    assert not at.exception
    assert "_user" not in at.session_state  # not served with the old role for one more run
    assert {t.key for t in at.text_input} >= {"signin_username", "signin_password"}
    assert any("登录已失效" in w.value for w in at.warning)
    assert not at.dataframe and not at.metric
    with db.connect(scored_copy) as con:
        last = con.execute(
            "select action, detail from audit_log where username = 'analyst' order by event_id desc limit 1"
        ).fetchone()
    assert last == ("sign_out", "session no longer valid")


def test_an_unchanged_user_stays_signed_in(scored_copy, monkeypatch):
    at = _signed_in_app(scored_copy, monkeypatch, "analyst")
    with db.connect(scored_copy) as con:
        auth.set_active(con, "manager", False)  # someone else
    at.run()
    assert at.session_state["_user"].username == "analyst" and not at.warning


def _failing_page() -> None:
    from analytics.ui import errors

    with errors.shown_plainly("test page"):
        raise RuntimeError("/srv/secret/path/warehouse.duckdb: boom")


def test_a_failure_shows_a_reference_and_no_traceback_and_logs_the_traceback(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "none")
    from analytics.ui import errors

    monkeypatch.setattr(errors, "development", lambda: False)
    logs.configure(tmp_path / "x.duckdb")
    with caplog.at_level(logging.ERROR, logger="needsmine.ui"):
        at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert "/srv/secret" not in shown and "Traceback" not in shown and "boom" not in shown
    ref = shown.split("参考编号 ")[1].split(" ")[0]
    assert ref.startswith("E") and len(ref) == len("E20261202-171512-3fa9")
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and logged[0].exc_info and "boom" in str(logged[0].exc_info[1])
    assert ref in (tmp_path / "x.duckdb.log").read_text(encoding="utf-8")


def test_in_development_the_failure_is_raised_on(monkeypatch):
    from analytics.ui import errors

    monkeypatch.setattr(errors, "development", lambda: True)
    at = AppTest.from_function(_failing_page).run()
    assert at.exception and "boom" in at.exception[0].message
