"""Sign-in and who sees what, through the app (AppTest) on the prepared demo warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import auth, privacy
from analytics.common import i18n
from analytics.ui import jobs
from analytics.views.account import documents
from analytics.views.account import view as account
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


def fresh_app(path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def sign_in_through_form(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click()
    return at.run()


@pytest.fixture()
def users(scored_path):
    with db.connect(scored_path) as con:
        manager = auth.get_user(con, "manager")
        other_account, other_name = con.execute(
            "select account_id, account_name from accounts where manager_id != ? and status = '在网' "
            "order by 1 limit 1",
            [manager.manager_id],
        ).fetchone()
        own_account = con.execute(
            "select account_id from scores where account_id in (select account_id from accounts where manager_id = ?) "
            "order by revenue_at_risk_yuan desc limit 1",
            [manager.manager_id],
        ).fetchone()[0]
    return {"manager": manager, "other_account": other_account, "other_name": other_name, "own_account": own_account}


def test_nothing_but_the_sign_in_form_before_signing_in(scored_path, monkeypatch):
    at = fresh_app(scored_path, monkeypatch).run()
    assert not at.exception
    assert {t.key for t in at.text_input} >= {"signin_username", "signin_password"}
    assert not at.metric and not at.dataframe  # no page ran


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(scored_copy, monkeypatch):
    at = fresh_app(scored_copy, monkeypatch).run()
    sign_in_through_form(at, "analyst", "not the password")
    assert at.error and "_user" not in at.session_state
    sign_in_through_form(at, "analyst", auth.DEMO_PASSWORD)
    assert not at.exception
    assert at.session_state["_user"].role == "analyst"
    with db.connect(scored_copy) as con:
        actions = [
            r[0]
            for r in con.execute("select action from audit_log where username = 'analyst' order by event_id").fetchall()
        ]
    assert actions[:2] == ["sign_in_failed", "sign_in"]
    assert "view" in actions  # the page they landed on


def test_repeated_failures_lock_the_form_out(scored_copy, monkeypatch):
    at = fresh_app(scored_copy, monkeypatch).run()
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        sign_in_through_form(at, "head", "wrong password")
    sign_in_through_form(at, "head", auth.DEMO_PASSWORD)  # right, but locked now
    assert "_user" not in at.session_state
    assert any("锁定" in e.value for e in at.error)


def test_a_manager_sees_only_their_own_accounts_on_every_page(scored_path, monkeypatch, users):
    manager = users["manager"]
    at = signed_in(fresh_app(scored_path, monkeypatch), manager).run()
    at.switch_page("pages/portfolio.py").run()
    assert not at.exception
    with db.connect(scored_path) as con:
        own = con.execute(  # their accounts in service at the end of the latest scored month
            "with m as (select last_day(max(as_of_month)) as end_on from scores) "
            "select count(*) from accounts, m where manager_id = ? and opened_on <= m.end_on and (status in "
            "('在网', '沉默') or (status in ('离网', '销户') and closed_on > m.end_on))",
            [manager.manager_id],
        ).fetchone()[0]
    shown = {m.label: m.value for m in at.metric}
    accounts_label = next(label for label in shown if "集团" in label or "ccount" in label)
    assert shown[accounts_label] == f"{own:,}"

    # Another manager's account cannot be opened by link …
    at.query_params["account"] = users["other_account"]
    at.switch_page("pages/account.py").run()
    assert not at.exception
    assert users["other_name"] not in " ".join(s.value for s in at.subheader)
    assert at.warning  # named as not found
    # … nor picked on the opportunities page, whose only manager is this one.
    at.switch_page("pages/opportunities.py").run()
    picker = at.selectbox(key="opportunities_manager")
    assert (
        picker.options == [f"{manager.manager_id} {picker.format_func(manager.manager_id).split(' ', 1)[1]}"]
        or len(picker.options) == 1
    )
    # A page outside the role, opened by its address on a server whose legacy `pages/` routing
    # runs it alone (the first run of a session switched to it): the frame refuses it, on record.
    refused = signed_in(fresh_app(scored_path, monkeypatch), manager)
    refused.switch_page("pages/trends.py").run()
    assert not refused.exception
    assert refused.error and not refused.dataframe
    assert "trends_dimension" not in {s.key for s in refused.selectbox}  # the page did not run
    with db.connect(scored_path) as con:
        details = [
            r[0]
            for r in con.execute(
                "select detail from audit_log where username = ? and object = 'page trends'", [manager.username]
            ).fetchall()
        ]
    assert "refused: role" in details


def test_a_link_run_alone_before_signing_in_leads_there_after_signing_in(scored_path, monkeypatch, users):
    # The first run of a fresh session switched to a page is Streamlit's legacy routing of
    # `pages/`: the page runs alone, and its guard must put the sign-in form first.
    at = fresh_app(scored_path, monkeypatch)
    at.query_params["account"] = users["own_account"]
    at.switch_page("pages/account.py").run()
    assert not at.exception
    assert {t.key for t in at.text_input} >= {"signin_username", "signin_password"}
    assert not at.metric and not at.dataframe  # nothing of the page before signing in
    sign_in_through_form(at, "manager", auth.DEMO_PASSWORD)
    assert not at.exception
    with db.connect(scored_path) as con:
        name = con.execute("select account_name from accounts where account_id = ?", [users["own_account"]]).fetchone()
    assert name[0] in " ".join(s.value for s in at.subheader)  # the account asked for, opened
    assert {t.key for t in at.text_input}.isdisjoint({"signin_username", "signin_password"})


def test_a_link_to_a_page_outside_the_role_followed_before_signing_in_leads_home(scored_path, monkeypatch):
    """A manager who followed a link to 消费趋势 (not a manager's page) and then signs in lands on
    their start page, without an error: only a page opened while signed in is refused."""
    at = fresh_app(scored_path, monkeypatch)
    at.switch_page("pages/trends.py").run()
    assert {t.key for t in at.text_input} >= {"signin_username", "signin_password"}
    sign_in_through_form(at, "manager", auth.DEMO_PASSWORD)
    assert not at.exception
    assert not at.error
    assert "trends_dimension" not in {s.key for s in at.selectbox}  # the trends page did not run
    assert at.title and at.title[0].value == i18n.text("agenda.title", "zh")  # a manager's landing page


def test_an_analyst_sees_key_people_masked(scored_path, monkeypatch, users):
    analyst = auth.User("analyst", "分析员", "analyst")
    with db.connect(scored_path) as con:
        view = account.load(
            con, users["own_account"], con.execute("select max(as_of_month) from scores").fetchone()[0], None
        )
    real_names = [n for n in view.contacts["contact_name"] if isinstance(n, str) and len(n) > 1]
    assert real_names
    at = signed_in(fresh_app(scored_path, monkeypatch), analyst).run()
    at.query_params["account"] = users["own_account"]
    at.switch_page("pages/account.py").run()
    assert not at.exception
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert not any(name in shown for name in real_names)
    # The documents an analyst downloads are made from the same masked view.
    import io
    import zipfile

    for kind in documents.KINDS:
        body = documents.docx_bytes(privacy.mask_account_view(view), kind, "zh")
        xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode("utf-8")
        assert not any(name in xml for name in real_names)


@pytest.mark.slow
def test_an_admin_adds_a_user_retrains_and_sees_it_all_in_the_audit_trail(scored_copy, monkeypatch):
    admin = auth.User("admin", "系统管理员", "admin")
    at = signed_in(fresh_app(scored_copy, monkeypatch), admin).run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    at.text_input(key="admin_new_username").input("new_analyst")
    at.text_input(key="admin_new_password").input("a long password")
    at.selectbox(key="admin_new_role").set_value("analyst")
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception
    with db.connect(scored_copy) as con:
        assert auth.sign_in(con, "new_analyst", "a long password").user is not None
    with db.connect(scored_copy) as con:
        before = con.execute("select count(*) from model_runs").fetchone()[0]
    next(b for b in at.button if b.label == "重新训练模型").click()
    at.run()
    assert not at.exception
    job = jobs.get("retrain")  # in the background: the page's run has returned already
    assert job is not None and job.started_by == "admin"
    job.thread.join(timeout=600)
    assert job.error_ref is None and job.result["churn"]["auc"] > 0.5
    at.run()
    assert any("训练完成" in s.value for s in at.success)
    with db.connect(scored_copy) as con:
        assert con.execute("select count(*) from model_runs").fetchone()[0] > before
        events = con.execute("select action, object from audit_log where username = 'admin'").fetchall()
    assert ("admin", "user new_analyst") in events
    assert any(action == "retrain" for action, _ in events)
    assert any(action == "view" and obj == "page admin" for action, obj in events)
    # The audit tab lists them.
    at.run()
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "重新训练" in shown and "new_analyst" in shown  # the action by its name, not its code
