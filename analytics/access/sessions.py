"""Remembered sign-ins: a reload of the browser tab is a new Streamlit session, and without this
it asked for the password again. A sign-in starts a session whose random token the browser keeps
in a cookie; the warehouse keeps only the token's SHA-256 (`app_sessions`), so a copy of the
warehouse gives no way in. A session ends at sign-out, after LIFETIME, or when its user is made
inactive; resuming one is written to the audit trail like a sign-in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb

from analytics.access import audit, auth

COOKIE = "needsmine_session"
LIFETIME = dt.timedelta(hours=10)  # a working day, then the password again


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(con: duckdb.DuckDBPyConnection, user: auth.User, now: dt.datetime | None = None) -> str:
    """A new session for `user`, who has just signed in; returns the token for the cookie."""
    audit.ensure_tables(con)
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    con.cursor().execute(
        "insert into app_sessions (token_hash, username, created_at, expires_at) values (?, ?, ?, ?)",
        [_hash(token), user.username, now, now + LIFETIME],
    )
    return token


def resume(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> auth.User | None:
    """The user of a live session with this token (not ended, not expired, user still active);
    None otherwise. A resumed session is audited as a sign-in ("resumed")."""
    if not token:
        return None
    audit.ensure_tables(con)
    now = now or dt.datetime.now()
    row = (
        con.cursor()
        .execute(
            "select username from app_sessions where token_hash = ? and ended_at is null and expires_at > ?",
            [_hash(token), now],
        )
        .fetchone()
    )
    user = auth.get_user(con, row[0]) if row else None
    if user is not None:
        audit.record(con, user.username, user.role, "sign_in", "session", "resumed")
    return user


def end(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> None:
    """End the session of this token (sign-out); an unknown or ended token is left as it is."""
    if not token:
        return
    audit.ensure_tables(con)
    con.cursor().execute(
        "update app_sessions set ended_at = ? where token_hash = ? and ended_at is null",
        [now or dt.datetime.now(), _hash(token)],
    )


def cookie_script(token: str | None, *, secure: bool) -> str:
    """The script that stores `token` in the browser's cookie (None: removes it). The token is
    URL-safe base64, so it needs no quoting inside the script."""
    if token is not None and not all(c.isalnum() or c in "-_" for c in token):
        raise ValueError("not a session token")
    value, age = (token, int(LIFETIME.total_seconds())) if token else ("", 0)
    flags = "; secure" if secure else ""
    return f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={age}; samesite=strict{flags}';</script>"
