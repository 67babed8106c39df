"""Remembered sign-ins (analytics/access/sessions.py): a reload resumes a live session only."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.access import audit, auth, sessions

NOW = dt.datetime(2026, 11, 2, 9, 0)


@pytest.fixture()
def con(empty_con):
    empty_con.execute(
        "insert into managers (manager_id, manager_name, district, team) values ('M00001', '张三', '浦东', 'A组')"
    )
    auth.add_user(empty_con, "m1", "secret-pass", "manager", manager_id="M00001")
    return empty_con


def test_a_session_resumes_until_it_expires(con):
    user = auth.sign_in(con, "m1", "secret-pass", NOW).user
    token = sessions.start(con, user, NOW)
    assert sessions.resume(con, token, NOW + dt.timedelta(hours=1)) == user
    assert sessions.resume(con, token, NOW + sessions.LIFETIME + dt.timedelta(seconds=1)) is None
    # Resuming is in the audit trail, as a sign-in.
    details = audit.events(con, username="m1", action="sign_in")["detail"].tolist()
    assert "resumed" in details


def test_sign_out_ends_it_and_other_tokens_never_resume(con):
    user = auth.sign_in(con, "m1", "secret-pass", NOW).user
    token, other = sessions.start(con, user, NOW), sessions.start(con, user, NOW)
    assert token != other
    sessions.end(con, token, NOW)
    assert sessions.resume(con, token, NOW) is None
    assert sessions.resume(con, other, NOW) == user  # another browser's session lives on
    for forged in (None, "", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43):
        assert sessions.resume(con, forged, NOW) is None


def test_an_inactive_user_cannot_resume(con):
    token = sessions.start(con, auth.get_user(con, "m1"), NOW)
    auth.set_active(con, "m1", False)
    assert sessions.resume(con, token, NOW) is None


def test_only_the_tokens_hash_is_stored(con):
    token = sessions.start(con, auth.get_user(con, "m1"), NOW)
    stored = con.execute("select token_hash from app_sessions").fetchall()
    assert len(stored) == 1 and token not in stored[0][0] and len(stored[0][0]) == 64


def test_the_cookie_script_sets_and_removes_the_token_and_refuses_anything_else():
    token = "AbC_-123" * 5
    script = sessions.cookie_script(token, secure=True)
    assert f"{sessions.COOKIE}={token};" in script and "samesite=strict" in script and "secure" in script
    assert f"max-age={int(sessions.LIFETIME.total_seconds())}" in script
    assert "max-age=0" in sessions.cookie_script(None, secure=False)
    with pytest.raises(ValueError):
        sessions.cookie_script("x'; alert(1); '", secure=False)
