"""The audit trail (`audit_log` in the warehouse): who viewed, exported, changed or retrained what."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics import config
from analytics.warehouse import queries

ACTIONS = ("sign_in", "sign_in_failed", "locked_out", "sign_out", "view", "export", "change", "retrain", "admin")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the app's own tables (users, audit trail) if the warehouse lacks them."""
    for path in sorted((config.SQL_DIR / "app").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def record(
    con: duckdb.DuckDBPyConnection, username: str, role: str | None, action: str, obj: str, detail: str | None = None
) -> None:
    """Append one event (its own statement: an autocommitted insert, safe from many sessions)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.cursor().execute(
        "insert into audit_log (occurred_at, username, role, action, object, detail) values (?, ?, ?, ?, ?, ?)",
        [dt.datetime.now().replace(microsecond=0), username, role, action, obj, detail],
    )


def events(
    con: duckdb.DuckDBPyConnection, *, username: str | None = None, action: str | None = None, limit: int = 500
) -> pd.DataFrame:
    """The latest events, newest first, optionally for one user or one kind of action."""
    return queries.run(con.cursor(), "audit_events", {"username": username, "action": action, "limit": limit})
