"""The audit trail (`audit_log` in the warehouse): who viewed, exported, changed or retrained what,
and every sign-in attempt (see analytics/access/auth.py), written in the attempt's own transaction."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

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
    if have and _has_table(cur, "app_sign_in_failures") and _has_table(cur, _NEWEST_TABLE) and not _outdated(cur):
        return
    for attempt in range(20):
        try:
            for path in sorted((config.SQL_DIR / "app").glob("*.sql")):
                cur.execute(path.read_text(encoding="utf-8"))
            for table in _outdated(cur):
                _rebuild(cur, table)
            return
        except (duckdb.TransactionException, duckdb.CatalogException):
            if attempt == 19:  # another thread kept changing the catalogue: let the error show
                raise


# CHECK constraints that list allowed values, which later versions extend (a new role, a new audit
# action): (table, column). DuckDB keeps a table's constraints as they were created.
_LISTED_CHECKS = (("app_users", "role"), ("audit_log", "action"))
# The newest of the app's tables (added with the import page): made by its file when missing.
_NEWEST_TABLE = "import_mappings"


def _sql_file(table: str) -> Path:
    return config.SQL_DIR / "app" / f"{table}.sql"


def _listed(text: str, column: str) -> frozenset[str] | None:
    """The values of `column in ('a', 'b' …)` in SQL `text`, or None when it has no such list."""
    match = re.search(rf"\b{column}\s+in\s*\(([^)]*)\)", text.replace('"', ""), re.IGNORECASE)
    return frozenset(re.findall(r"'([^']*)'", match.group(1))) if match else None


@cache
def declared(table: str, column: str) -> frozenset[str]:
    """The values the app's SQL file of `table` allows in `column` (the DDL is their one source)."""
    return _listed(_sql_file(table).read_text(encoding="utf-8"), column) or frozenset()


def declared_roles() -> frozenset[str]:
    """The roles app_users.sql's CHECK constraint allows."""
    return declared("app_users", "role")


def _outdated(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The app tables whose CHECK on a listed column lacks a value their SQL file now allows (a
    warehouse made before a role or an audit action was added)."""
    stale = []
    for table, column in _LISTED_CHECKS:
        rows = cur.execute(
            "select expression from duckdb_constraints() where schema_name = 'main' and table_name = ? "
            "and constraint_type = 'CHECK' and list_contains(constraint_column_names, ?)",
            [table, column],
        ).fetchall()
        for (expression,) in rows:
            allowed = _listed(expression, column)
            if allowed is not None and not declared(table, column) <= allowed:
                stale.append(table)
                break
    return stale


def _rebuild(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """Give an old warehouse's `table` the values added to its CHECK since: DuckDB cannot alter a
    CHECK constraint, so the table is made again from its SQL file under another name, its rows
    copied into it, the old one dropped and the new one renamed — in one transaction, so that a
    failure leaves the old table as it was. (Its sequence, named `<table>_seq`, is kept: the
    rebuilt table goes on numbering from it.)"""
    rebuilt = f"{table}_rebuilt"
    ddl = re.sub(rf"\b{table}\b", rebuilt, _sql_file(table).read_text(encoding="utf-8"))
    cur.execute("begin transaction")
    try:
        cur.execute(f"drop table if exists {rebuilt}")
        cur.execute(ddl)
        cur.execute(f"insert into {rebuilt} by name select * from {table}")
        cur.execute(f"drop table {table}")
        cur.execute(f"alter table {rebuilt} rename to {table}")
        cur.execute("commit")
    except BaseException:
        cur.execute("rollback")
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
