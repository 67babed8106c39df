"""The audit trail (`audit_log` in the warehouse): who viewed, exported, changed or retrained what,
and every sign-in attempt (see analytics/access/auth.py), written in the attempt's own transaction."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics import config
from analytics.warehouse import queries

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "sign_out",
    "view",
    "export",
    "change",
    "retrain",
    "refresh",
    "admin",
)
MAX_TEXT = 200  # a user name or detail longer than this (typed into the sign-in form) is cut here

# The newest piece of the app's tables: when it is there, so is everything before it.
_NEWEST = ("app_sessions", "user_agent")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the app's own tables (users, sessions, audit trail) if the warehouse lacks them, and
    bring an older warehouse's up to date (each file adds its columns `if not exists`). Checked
    with one catalogue query, so that it is cheap on every call; done at most once at a time."""
    cur = con.cursor()
    have = cur.execute(
        "select count(*) from duckdb_columns() where schema_name = 'main' and table_name = ? and column_name = ?",
        list(_NEWEST),
    ).fetchone()[0]
    if have and _has_table(cur, "app_sign_in_failures"):
        return
    for attempt in range(20):
        try:
            for path in sorted((config.SQL_DIR / "app").glob("*.sql")):
                cur.execute(path.read_text(encoding="utf-8"))
            return
        except (duckdb.TransactionException, duckdb.CatalogException):
            if attempt == 19:  # another thread kept changing the catalogue: let the error show
                raise


def _has_table(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        cur.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = ?", [table]
        ).fetchone()[0]
    )


def record(
    con: duckdb.DuckDBPyConnection, username: str, role: str | None, action: str, obj: str, detail: str | None = None
) -> None:
    """Append one event (its own statement: an autocommitted insert, safe from many sessions)."""
    write(con.cursor(), username, role, action, obj, detail)


def write(
    cur: duckdb.DuckDBPyConnection, username: str, role: str | None, action: str, obj: str, detail: str | None = None
) -> None:
    """Append one event on `cur` itself: inside the transaction open on it, if any (a sign-in
    attempt is written in the transaction that counts it, so neither is ever without the other)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    cur.execute(
        "insert into audit_log (occurred_at, username, role, action, object, detail) values (?, ?, ?, ?, ?, ?)",
        [dt.datetime.now().replace(microsecond=0), _cut(username), role, action, obj, _cut(detail)],
    )


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def events(
    con: duckdb.DuckDBPyConnection, *, username: str | None = None, action: str | None = None, limit: int = 500
) -> pd.DataFrame:
    """The latest events, newest first, optionally for one user or one kind of action."""
    return queries.run(con.cursor(), "audit_events", {"username": username, "action": action, "limit": limit})
