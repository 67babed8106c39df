"""The data steward (issue 13): the import page and the data overview, nothing with customers'
details; a warehouse made before the role existed gains it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import audit, auth, pages
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
STEWARD = auth.User("steward", "数据管理员", "data_steward")

# app_users as warehouses made before the data steward had it (issue 14's session_epoch added).
OLD_APP_USERS = """
create table app_users (
    username varchar primary key,
    display_name varchar not null,
    role varchar not null check (role in ('manager', 'head', 'analyst', 'admin')),
    manager_id varchar,
    district varchar,
    password_hash varchar,
    failed_attempts integer not null default 0,
    locked_until timestamp,
    is_active boolean not null default true,
    created_at timestamp not null,
    check (role != 'manager' or manager_id is not null)
);
alter table app_users add column session_epoch integer default 0;
"""


def test_the_steward_opens_the_import_page_and_the_data_overview_only():
    assert {page.name for page in pages.for_role("data_steward")} == {"data_import", "warehouse"}
    for name in ("portfolio", "account", "opportunities", "trends", "compliance", "interviews", "admin"):
        assert not pages.may_open("data_steward", name), name
    assert pages.may_open(pages.ADMIN, "data_import")
    assert not pages.may_open("analyst", "data_import") and not pages.may_open("head", "data_import")
    assert not STEWARD.sees_personal_data and not STEWARD.is_admin


def test_an_old_warehouse_gains_the_role_and_keeps_its_users(tmp_path):
    path = tmp_path / "old.duckdb"
    with db.connect(path) as con:
        db.create_schema(con)
        con.execute(OLD_APP_USERS)
        con.execute(
            "insert into app_users (username, display_name, role, password_hash, created_at, session_epoch) "
            "values ('boss', '老板', 'admin', 'hash-kept', '2026-01-01', 3)"
        )
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "insert into app_users (username, display_name, role, created_at) "
                "values ('x', 'x', 'data_steward', '2026-01-01')"
            )
    with db.connect(path) as con:  # as the app and `needsmine users` open it
        made = auth.add_user(con, "keeper", "a long password", "data_steward", display_name="数据管理员")
        assert made.role == "data_steward"
        assert auth.sign_in(con, "keeper", "a long password").user.role == "data_steward"
        kept = con.execute(
            "select display_name, role, password_hash, session_epoch from app_users where username = 'boss'"
        ).fetchone()
        assert kept == ("老板", "admin", "hash-kept", 3)
        # the rebuilt table keeps every constraint of app_users.sql: unknown roles and a manager
        # without a manager id are still refused by the warehouse itself
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "insert into app_users (username, display_name, role, created_at) values ('y', 'y', 'nobody', now())"
            )
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "insert into app_users (username, display_name, role, created_at) values ('z', 'z', 'manager', now())"
            )
        with pytest.raises(duckdb.ConstraintException):  # the primary key too
            con.execute(
                "insert into app_users (username, display_name, role, created_at) values ('boss', 'b', 'head', now())"
            )
        assert audit.declared_roles() == set(auth.ROLES)
        tables = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert "app_users_rebuilt" not in tables and "import_mappings" in tables


OLD_AUDIT_LOG = """
create sequence if not exists audit_log_seq;
create table audit_log (
    event_id bigint primary key default nextval('audit_log_seq'),
    occurred_at timestamp not null,
    username varchar not null,
    role varchar,
    action varchar not null check (action in (
        'sign_in', 'sign_in_failed', 'locked_out', 'sign_out', 'view', 'export', 'change', 'retrain', 'admin'
    )),
    object varchar not null,
    detail varchar
)
"""


def test_an_old_audit_trail_gains_the_new_actions_and_keeps_its_events(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # a warehouse from before the refresh action
        db.create_schema(con)
        con.execute(OLD_AUDIT_LOG)
        for _ in range(3):
            con.execute(
                "insert into audit_log (occurred_at, username, action, object) values (now(), 'a', 'view', 'x')"
            )
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "insert into audit_log (occurred_at, username, action, object) values (now(), 'a', 'refresh', 'w')"
            )
    with db.connect(path) as con:
        audit.ensure_tables(con)
        audit.record(con, "admin", "admin", "refresh", "warehouse", "scored 2026-10")
        rows = con.execute("select event_id, action from audit_log order by event_id").fetchall()
        assert [a for _, a in rows] == ["view", "view", "view", "refresh"]
        assert [i for i, _ in rows] == sorted({i for i, _ in rows})  # numbering goes on, no reuse
        with pytest.raises(duckdb.ConstraintException):  # still a closed list
            con.execute(
                "insert into audit_log (occurred_at, username, action, object) values (now(), 'a', 'nuke', 'w')"
            )


def test_the_demo_has_a_steward(scored_path):
    with db.connect(scored_path) as con:
        steward = auth.get_user(con, "steward")
    assert steward is not None and steward.role == "data_steward"


@pytest.mark.parametrize("page", ["pages/portfolio.py", "pages/account.py", "pages/opportunities.py"])
def test_the_steward_cannot_open_pages_with_customers_details(scored_path, monkeypatch, page):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), STEWARD)
    at.switch_page(page).run()
    assert not at.exception
    assert at.error and not at.dataframe and not at.metric  # refused, the page did not run
    with db.connect(scored_path) as con:
        details = con.execute(
            "select detail from audit_log where username = 'steward' and object = ?", [f"page {Path(page).stem}"]
        ).fetchall()
    assert ("refused: role",) in details


def test_the_steward_lands_on_the_data_overview(scored_path, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), STEWARD).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "数据概览" and at.metric


def test_an_admin_creates_a_data_steward_on_the_admin_page(scored_copy, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_copy))
    admin = auth.User("admin", "系统管理员", "admin")
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), admin).run()
    at.switch_page("pages/admin.py").run()
    role = at.selectbox(key="admin_new_role")
    assert "data_steward" in role.options or "数据管理员" in role.options
    at.text_input(key="admin_new_username").input("keeper")
    at.text_input(key="admin_new_password").input("a long password")
    role.set_value("data_steward")
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception and not at.error
    with db.connect(scored_copy) as con:
        assert auth.sign_in(con, "keeper", "a long password").user.role == "data_steward"
