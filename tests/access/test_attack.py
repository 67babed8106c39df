"""Sign-in and sessions under attack (issue 14): lock-out counted atomically under parallel
attempts with every attempt audited, the same answer for unknown and known names, the password
policy, and every way a session must end."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from analytics.access import auth, sessions

NOW = dt.datetime(2026, 11, 2, 9, 0)


@pytest.fixture()
def con(empty_con):
    empty_con.execute(
        "insert into managers (manager_id, manager_name, district, team) values ('M00001', '张三', '浦东', 'A组')"
    )
    auth.add_user(empty_con, "m1", "secret-pass", "manager", manager_id="M00001")
    return empty_con


def _audited(con, username: str) -> list[tuple[str, str]]:
    return con.execute(
        "select action, detail from audit_log where username = ? and object = 'session' order by event_id", [username]
    ).fetchall()


def _parallel(con, username: str, password: str, n: int) -> tuple[list[auth.SignIn], list[BaseException]]:
    results: list[auth.SignIn] = []
    raised: list[BaseException] = []
    start = threading.Barrier(n)

    def attempt() -> None:
        start.wait()
        try:
            results.append(auth.sign_in(con, username, password))
        except BaseException as err:  # noqa: BLE001 - what the form would have shown as a traceback
            raised.append(err)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, raised


@pytest.mark.parametrize("username", ["m1", "no-such-user"])
def test_twenty_parallel_wrong_passwords_are_all_counted_audited_and_lock_the_name(con, username):
    results, raised = _parallel(con, username, "wrong password", 20)
    assert raised == [] and len(results) == 20
    events = _audited(con, username)
    assert len(events) == 20  # every attempt in the audit trail, none lost to a write conflict
    assert sum(action == "locked_out" for action, _ in events) == 1
    table = "app_users" if username == "m1" else "app_sign_in_failures"
    count, locked_until = con.execute(
        f"select failed_attempts, locked_until from {table} where username = ?", [username]
    ).fetchone()
    assert count == 20 and locked_until is not None
    assert {r.reason for r in results} <= {"wrong_password", "unknown", "locked"}
    assert sum(r.reason == "locked" for r in results) >= 20 - auth.MAX_FAILED_ATTEMPTS + 1
    if username == "m1":  # the right password is refused while locked
        assert auth.sign_in(con, "m1", "secret-pass").reason == "locked"


def test_an_unknown_name_is_answered_as_a_known_one(con):
    """Both locked after the same number of failures: the form cannot tell which names exist."""
    for name in ("m1", "nobody"):
        answers = [auth.sign_in(con, name, "wrong", NOW).reason for _ in range(auth.MAX_FAILED_ATTEMPTS)]
        assert answers[-1] == "locked", name
        assert len({a for a in answers[:-1]}) == 1  # one public answer before the lock ('wrong')
    known = auth.sign_in(con, "m1", "wrong", NOW)
    unknown = auth.sign_in(con, "nobody", "wrong", NOW)
    assert (known.reason, known.locked_until) == (unknown.reason, unknown.locked_until)


@pytest.mark.parametrize(
    ("password", "key"),
    [
        (" " * 8, "security.password_blank"),
        ("\u3000" * 10, "security.password_blank"),
        ("   short   ", "security.password_short"),
        ("x" * (auth.MAX_PASSWORD_LENGTH + 1), "security.password_long"),
        (" Planner-Ops ", "security.password_is_username"),
    ],
)
def test_the_password_policy_refuses_weak_passwords_with_the_reason(con, password, key):
    with pytest.raises(auth.AuthError) as refused:
        auth.add_user(con, "planner-ops", password, "analyst")
    assert refused.value.key == key
    with pytest.raises(auth.AuthError):
        auth.set_password(con, "m1", password if key != "security.password_is_username" else "m1")
    assert auth.sign_in(con, "m1", "secret-pass").user is not None  # the old password still works


def _token(con) -> str:
    return sessions.start(con, auth.sign_in(con, "m1", "secret-pass").user, user_agent="Browser A")


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda con: auth.set_password(con, "m1", "another-pass"), id="password changed"),
        pytest.param(
            lambda con: auth.add_user(con, "m1", "secret-pass", "manager", manager_id="M00001"), id="user re-added"
        ),
        pytest.param(lambda con: auth.add_user(con, "m1", "secret-pass", "analyst"), id="role changed"),
        pytest.param(lambda con: auth.set_active(con, "m1", False), id="deactivated"),
        pytest.param(
            lambda con: (auth.set_active(con, "m1", False), auth.set_active(con, "m1", True)),
            id="deactivated then reactivated",
        ),
        pytest.param(lambda con: auth.end_sessions(con, "m1"), id="sessions ended by an admin"),
    ],
)
def test_every_revocation_refuses_the_old_token_and_the_open_session(con, revoke):
    token = _token(con)
    open_tab = sessions.check(con, token)
    assert open_tab is not None and auth.current(con, open_tab) is not None
    revoke(con)
    assert sessions.check(con, token) is None  # the remembered token (a reload, another browser)
    assert sessions.resume(con, token, user_agent="Browser A") is None
    assert auth.current(con, open_tab) is None  # the user as the open tab holds them
    if auth.get_user(con, "m1") is not None:  # a new sign-in still works, with a new token
        fresh = auth.sign_in(con, "m1", "another-pass" if "pass" in str(revoke) else "secret-pass").user
        if fresh is not None:
            assert sessions.check(con, sessions.start(con, fresh)) is not None


def test_an_expired_session_is_refused(con):
    user = auth.sign_in(con, "m1", "secret-pass").user
    token = sessions.start(con, user, now=NOW)
    assert sessions.check(con, token, NOW + sessions.LIFETIME - dt.timedelta(seconds=1)) is not None
    assert sessions.check(con, token, NOW + sessions.LIFETIME) is None


def test_a_copied_cookie_is_audited_with_both_browsers(con):
    token = _token(con)
    assert sessions.resume(con, token, user_agent="Browser A") is not None
    assert sessions.resume(con, token, user_agent="Other Browser B") is not None
    details = [detail for action, detail in _audited(con, "m1") if action == "sign_in"]
    assert details[-2] == "resumed"
    assert "another browser" in details[-1] and "Other Browser B" in details[-1] and "Browser A" in details[-1]
