"""Local sign-in, lock-out, scopes, masking and the audit trail (analytics level)."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.access import audit, auth, privacy


@pytest.fixture()
def con(empty_con):
    empty_con.execute(
        "insert into managers (manager_id, manager_name, district, team)"
        " values ('M00001', '张三', '浦东', 'A组'), ('M00002', '李四', '浦东', 'A组'),"
        " ('M00003', '王五', '黄浦', 'B组')"
    )
    return empty_con


def test_passwords_are_stored_as_salted_argon2_hashes(con):
    auth.add_user(con, "a", "correct horse", "analyst")
    auth.add_user(con, "b", "correct horse", "analyst")
    hashes = [r[0] for r in con.execute("select password_hash from app_users order by username").fetchall()]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salt
    assert "correct horse" not in "".join(hashes)


def test_sign_in_accepts_the_right_password_only(con):
    auth.add_user(con, "m1", "secret-pass", "manager", manager_id="M00001")
    assert auth.sign_in(con, "m1", "secret-pass").user.manager_id == "M00001"
    assert auth.sign_in(con, "m1", "Secret-pass").reason == "wrong_password"
    assert auth.sign_in(con, "nobody", "secret-pass").reason == "unknown"


def test_repeated_failures_lock_the_user_out_then_the_lock_expires(con):
    auth.add_user(con, "m1", "secret-pass", "manager", manager_id="M00001")
    now = dt.datetime(2026, 11, 2, 9, 0)
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        assert auth.sign_in(con, "m1", "wrong", now).reason == "wrong_password"
    locked = auth.sign_in(con, "m1", "wrong", now)
    assert locked.reason == "locked" and locked.locked_until == now + auth.LOCKOUT
    # Even the right password is refused while locked …
    assert auth.sign_in(con, "m1", "secret-pass", now + dt.timedelta(minutes=1)).reason == "locked"
    # … and accepted once the lock has expired.
    assert auth.sign_in(con, "m1", "secret-pass", now + auth.LOCKOUT + dt.timedelta(seconds=1)).user is not None


def test_bad_users_are_refused_with_the_field_named(con):
    with pytest.raises(auth.AuthError, match="role"):
        auth.add_user(con, "x", "long enough", "superuser")
    with pytest.raises(auth.AuthError, match="manager_id"):
        auth.add_user(con, "x", "long enough", "manager")
    with pytest.raises(auth.AuthError, match="manager_id"):
        auth.add_user(con, "x", "long enough", "manager", manager_id="M99999")
    with pytest.raises(auth.AuthError, match="password"):
        auth.add_user(con, "x", "short", "analyst")


def test_scopes_follow_the_role(con):
    manager = auth.add_user(con, "m", "secret-pass", "manager", manager_id="M00002")
    district_head = auth.add_user(con, "dh", "secret-pass", "head", district="浦东")
    head = auth.add_user(con, "h", "secret-pass", "head")
    analyst = auth.add_user(con, "an", "secret-pass", "analyst")
    assert auth.scope_managers(con, manager) == ("M00002",)
    assert auth.scope_managers(con, district_head) == ("M00001", "M00002")
    assert auth.scope_managers(con, head) is None
    assert auth.scope_managers(con, analyst) is None
    assert not analyst.sees_personal_data and manager.sees_personal_data


def test_every_attempt_is_in_the_audit_trail(con):
    auth.add_user(con, "m1", "secret-pass", "manager", manager_id="M00001")
    auth.sign_in(con, "m1", "wrong")
    auth.sign_in(con, "m1", "secret-pass")
    audit.record(con, "m1", "manager", "export", "account 3100000001", "proposal.docx")
    events = audit.events(con, username="m1")
    assert list(events["action"]) == ["export", "sign_in", "sign_in_failed"]
    with pytest.raises(ValueError):
        audit.record(con, "m1", "manager", "delete_everything", "x")


def test_demo_users_cover_every_role(con):
    con.execute(
        "insert into accounts (account_id, account_name, industry, district, value_class, is_key_account, "
        "manager_id, employee_count, ownership, opened_on, status) values "
        "('3100000001', '甲公司', '制造业', '浦东', 'A', false, 'M00002', 100, '民营企业', '2020-01-01', '在网')"
    )
    made = auth.ensure_demo_users(con)
    assert {u.role for u in made} == set(auth.ROLES)
    assert next(u for u in made if u.role == "manager").manager_id == "M00002"
    assert auth.sign_in(con, "analyst", auth.DEMO_PASSWORD).user.role == "analyst"
    assert auth.ensure_demo_users(con) == []  # only once


def test_personal_data_is_masked_for_roles_that_may_not_see_it():
    import pandas as pd

    frame = pd.DataFrame(
        {"contact_name": ["张伟", "欧阳娜娜"], "phone": ["13812345678", None], "notes": ["谈到云视讯", ""]}
    )
    masked = privacy.mask_frame(frame, sees_personal_data=False)
    assert list(masked["contact_name"]) == ["张*", "欧***"]
    assert masked["phone"][0] == "138****5678" and pd.isna(masked["phone"][1])
    assert "云视讯" not in masked["notes"][0]
    assert privacy.mask_frame(frame, sees_personal_data=True) is frame
    # said in the language shown, never both at once
    english = privacy.mask_frame(frame, sees_personal_data=False, lang="en")["notes"][0]
    assert english.startswith("(withheld") and not any("\u4e00" <= c <= "\u9fff" for c in english)
    assert "withheld" not in masked["notes"][0] and masked["notes"][0].startswith("（已隐藏")


def test_the_first_admin_of_a_real_warehouse_comes_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    from analytics.warehouse import db

    path = tmp_path / "real.duckdb"
    with db.connect(path) as con:
        db.create_schema(con)
    env = {**os.environ, "NEEDSMINE_PASSWORD": "a long password"}

    def run(*a: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "analytics", "users", *a, "--db", str(path)]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    assert run("add", "root", "--role", "admin").returncode == 0
    refused = run("add", "x", "--role", "manager", "--manager-id", "M404")
    assert refused.returncode == 2 and "manager_id" in refused.stderr
    assert "root" in run("list").stdout
    with db.connect(path) as con:
        assert auth.sign_in(con, "root", "a long password").user.is_admin
