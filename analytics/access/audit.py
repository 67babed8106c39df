"""The audit trail (`audit_log` in the warehouse): who viewed, exported, changed or retrained what,
and every sign-in attempt (see analytics/access/auth.py), written in the attempt's own transaction."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import duckdb
import pandas as pd

from analytics import config
from analytics.warehouse import queries

ACTIONS = ("sign_in", "sign_in_failed", "locked_out", "sign_out", "view", "export", "change", "retrain", "admin")
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
    if have and _has_table(cur, "app_sign_in_failures") and _has_table(cur, _NEWEST_TABLE) and not _roles_missing(cur):
        return
    for attempt in range(20):
        try:
            for path in sorted((config.SQL_DIR / "app").glob("*.sql")):
                cur.execute(path.read_text(encoding="utf-8"))
            if _roles_missing(cur):
                _rebuild_app_users(cur)
            return
        except (duckdb.TransactionException, duckdb.CatalogException):
            if attempt == 19:  # another thread kept changing the catalogue: let the error show
                raise


_USERS_SQL = config.SQL_DIR / "app" / "app_users.sql"
_ROLE_CHECK = re.compile(r"role\s+in\s*\(([^)]*)\)", re.IGNORECASE)
# The newest of the app's tables (added with the import page): made by its file when missing.
_NEWEST_TABLE = "import_mappings"


@cache
def declared_roles() -> frozenset[str]:
    """The roles app_users.sql's CHECK constraint allows (the DDL is their one source in the warehouse)."""
    match = _ROLE_CHECK.search(_USERS_SQL.read_text(encoding="utf-8"))
    return frozenset(re.findall(r"'([^']*)'", match.group(1))) if match else frozenset()


def _roles_missing(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse's app_users was made before a role of app_users.sql was added: its
    CHECK on role lacks one (DuckDB keeps a table's constraints as they were created)."""
    rows = cur.execute(
        "select expression from duckdb_constraints() where schema_name = 'main' and table_name = 'app_users' "
        "and constraint_type = 'CHECK' and list_contains(constraint_column_names, 'role')"
    ).fetchall()
    for (expression,) in rows:
        match = _ROLE_CHECK.search(expression.replace('"', ""))
        if match:
            return not declared_roles() <= set(re.findall(r"'([^']*)'", match.group(1)))
    return False


def _rebuild_app_users(cur: duckdb.DuckDBPyConnection) -> None:
    """Give an old warehouse's app_users the roles added since: DuckDB cannot alter a CHECK
    constraint, so the table is made again from app_users.sql under another name, the users are
    copied into it, the old one dropped and the new one renamed — in one transaction, so that a
    failure leaves the old table as it was. Sessions and audit events refer to users by name only."""
    ddl = re.sub(r"\bapp_users\b", "app_users_rebuilt", _USERS_SQL.read_text(encoding="utf-8"))
    cur.execute("begin transaction")
    try:
        cur.execute("drop table if exists app_users_rebuilt")
        cur.execute(ddl)
        cur.execute("insert into app_users_rebuilt by name select * from app_users")
        cur.execute("drop table app_users")
        cur.execute("alter table app_users_rebuilt rename to app_users")
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
