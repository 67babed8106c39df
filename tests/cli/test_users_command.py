"""`needsmine users`: an admin's actions on a user from the command line end their sessions and are
audited; refusals are exit 2 with the reason."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from analytics.access import auth, sessions
from analytics.warehouse import db


def _users(path, *args: str, password: str = "a long password") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "analytics", "users", *args, "--db", str(path)]
    env = {**os.environ, "NEEDSMINE_PASSWORD": password}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_each_action_ends_the_sessions_it_must_and_is_audited(tmp_path):
    path = tmp_path / "real.duckdb"
    with db.connect(path) as con:
        db.create_schema(con)
    assert _users(path, "add", "ana", "--role", "analyst").returncode == 0

    def token() -> str:
        with db.connect(path) as con:
            return sessions.start(con, auth.sign_in(con, "ana", "a long password").user)

    def live(t: str) -> bool:
        with db.connect(path) as con:
            return sessions.check(con, t) is not None

    for action in ("end-sessions", "deactivate"):
        before = token()
        assert _users(path, action, "ana").returncode == 0, action
        assert not live(before), action
    assert _users(path, "activate", "ana").returncode == 0
    assert not live(before)  # a token from before the deactivation stays dead
    old = token()
    assert _users(path, "password", "ana", password="another long one").returncode == 0
    assert not live(old)
    with db.connect(path) as con:
        assert auth.sign_in(con, "ana", "another long one").user is not None
        details = [
            r[0]
            for r in con.execute("select detail from audit_log where username = 'cli' order by event_id").fetchall()
        ]
    assert details[1:] == [
        "sessions ended",
        "deactivated: sessions ended",
        "activated",
        "password set: sessions ended",
    ]


def test_refusals_name_the_reason(tmp_path):
    path = tmp_path / "real.duckdb"
    with db.connect(path) as con:
        db.create_schema(con)
    blank = _users(path, "add", "ana", "--role", "analyst", password=" " * 8)
    assert blank.returncode == 2 and "spaces" in blank.stderr and "Traceback" not in blank.stderr
    unknown = _users(path, "end-sessions", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
