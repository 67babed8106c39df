"""Remembered sign-ins: a reload of the browser tab is a new Streamlit session, and without this
it asked for the password again. A sign-in starts a session whose random token the browser keeps
in a cookie; the warehouse keeps only the token's SHA-256 (`app_sessions`), so a copy of the
warehouse gives no way in.

A session is live while it has not been ended (sign-out), has not expired (LIFETIME), its user is
active and its `session_epoch` is still its user's: setting a user's password, role or scope again,
deactivating or reactivating them, or an admin's "end sessions" raises the user's epoch
(analytics/access/auth.py), which ends every token issued before. `check` is what every rerun of
an open tab asks (one lookup by the token's hash); `resume` is a reload, written to the audit trail
like a sign-in, and named as coming from another browser when its user agent is not the one that
signed in (a copied cookie).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb

from analytics.access import audit, auth

COOKIE = "needsmine_session"
LIFETIME = dt.timedelta(hours=10)  # a working day, then the password again

_CHECK = """
    select u.username, u.display_name, u.role, u.manager_id, u.district, u.session_epoch, s.user_agent
    from app_sessions as s
    inner join app_users as u on u.username = s.username
    where s.token_hash = ? and s.ended_at is null and s.expires_at > ?
      and u.is_active and s.session_epoch = u.session_epoch
"""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(
    con: duckdb.DuckDBPyConnection, user: auth.User, now: dt.datetime | None = None, user_agent: str | None = None
) -> str:
    """A new session for `user`, who has just signed in (the epoch their sign-in read: a change
    made since ends it at once); returns the token for the cookie."""
    audit.ensure_tables(con)
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    con.cursor().execute(
        "insert into app_sessions (token_hash, username, created_at, expires_at, session_epoch, user_agent) "
        "values (?, ?, ?, ?, ?, ?)",
        [_hash(token), user.username, now, now + LIFETIME, user.session_epoch, _cut(user_agent)],
    )
    return token


def check(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> auth.User | None:
    """The user of the live session with this token, as the warehouse has them now; None when it is
    not live (ended, expired, revoked, user inactive). Not audited: every rerun asks it."""
    found = _live(con, token, now)
    return found[0] if found else None


def resume(
    con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None, user_agent: str | None = None
) -> auth.User | None:
    """A reload: the user of the live session with this token, or None. Audited as a sign-in
    ("resumed"; "resumed in another browser" with both user agents when `user_agent` is not the
    one that signed in)."""
    found = _live(con, token, now)
    if found is None:
        return None
    user, signed_in_with = found
    detail = "resumed"
    if _cut(user_agent) != signed_in_with:
        detail = f"resumed in another browser: user agent {user_agent!r}, signed in with {signed_in_with!r}"
    audit.record(con, user.username, user.role, "sign_in", "session", detail)
    return user


def _live(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None):
    if not token:
        return None
    audit.ensure_tables(con)
    row = con.cursor().execute(_CHECK, [_hash(token), now or dt.datetime.now()]).fetchone()
    if row is None:
        return None
    return auth.User(*row[:5], session_epoch=row[5]), row[6]


def end(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> None:
    """End the session of this token (sign-out); an unknown or ended token is left as it is."""
    if not token:
        return
    audit.ensure_tables(con)
    con.cursor().execute(
        "update app_sessions set ended_at = ? where token_hash = ? and ended_at is null",
        [now or dt.datetime.now(), _hash(token)],
    )


def live_sessions(con: duckdb.DuckDBPyConnection, username: str, now: dt.datetime | None = None) -> int:
    """How many live sessions (browsers) `username` has now."""
    audit.ensure_tables(con)
    return (
        con.cursor()
        .execute(
            "select count(*) from app_sessions as s inner join app_users as u on u.username = s.username "
            "where s.username = ? and s.ended_at is null and s.expires_at > ? and u.is_active "
            "and s.session_epoch = u.session_epoch",
            [username, now or dt.datetime.now()],
        )
        .fetchone()[0]
    )


def _cut(user_agent: str | None) -> str | None:
    return user_agent if user_agent is None else user_agent[:500]


def cookie_script(token: str | None, *, secure: bool) -> str:
    """The script that stores `token` in the browser's cookie (None: removes it). The token is
    URL-safe base64, so it needs no quoting inside the script. Set from JavaScript (Streamlit has
    no way to send a Set-Cookie header), the cookie cannot be HttpOnly: see the README's security
    section for what limits a stolen token (hash only at rest, epoch, expiry, user-agent audit)."""
    if token is not None and not all(c.isalnum() or c in "-_" for c in token):
        raise ValueError("not a session token")
    value, age = (token, int(LIFETIME.total_seconds())) if token else ("", 0)
    flags = "; secure" if secure else ""
    return f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={age}; samesite=strict{flags}';</script>"
