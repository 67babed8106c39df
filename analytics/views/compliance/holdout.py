"""The retention holdout (对照组): the share of at-risk accounts that heads choose to leave without
retention action, so that the department's own outcomes keep measuring what the actions do.

A department head (or an administrator) sets the department's share, a district head their own
district's, which overrides the department's there (`retention_holdout`, sql/app). The write
checks the role and the value itself — the page offers the control to heads only, but a refused
attempt is refused here and written to the audit trail — and the change and its audit event go
in one transaction. Which accounts are held out is `uplift_ranking.in_holdout`: a stable hash of
the account id below the share.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb

from analytics import config
from analytics.access import audit, auth
from analytics.views.daily_work.records import _in_transaction, _now

SETTERS = ("head", "admin")  # roles that may set a holdout share
MAX_SHARE = 0.5  # at most half the accounts at risk left alone
DEPARTMENT = ""  # the scope key of the department's own share


class NotAllowed(PermissionError):
    """The user's role does not set the holdout (a manager, an analyst, a data steward)."""


class BadShare(ValueError):
    """The share is not a number from 0 to MAX_SHARE."""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.cursor().execute((config.SQL_DIR / "app" / "retention_holdout.sql").read_text(encoding="utf-8"))


def scope_of(user: auth.User) -> str:
    """The scope a user's setting applies to: a district head's district, else the department."""
    return user.district or DEPARTMENT if user.role == "head" else DEPARTMENT


def shares(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """{scope: share} as set ('' the department's); empty when nobody set one yet."""
    cur = con.cursor()
    exists = cur.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'retention_holdout'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = cur.execute("select scope, share from retention_holdout").fetchall()
    return {scope: float(share) for scope, share in rows}


def share_for(current: dict[str, float], district: str | None) -> float:
    """The share that holds for an account of `district`: its district's, else the department's, else 0."""
    if district and district in current:
        return current[district]
    return current.get(DEPARTMENT, 0.0)


def set_share(con: duckdb.DuckDBPyConnection, user: auth.User, share: object, now: dt.datetime | None = None) -> str:
    """Set the holdout share of `user`'s scope (`scope_of`) to `share` (0 to MAX_SHARE), audited.
    Returns the scope. NotAllowed (audited as refused) for a role outside SETTERS; BadShare for a
    value that is not a number in range."""
    audit.ensure_tables(con)
    if user.role not in SETTERS:
        audit.record(con, user.username, user.role, "change", "retention_holdout", "refused: role")
        raise NotAllowed(f"role {user.role!r} does not set the retention holdout")
    try:
        value = float(share)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadShare(f"holdout share: {share!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= MAX_SHARE:
        raise BadShare(f"holdout share: {value!r} is not between 0 and {MAX_SHARE}")
    ensure_table(con)
    scope, moment = scope_of(user), _now(now)

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        before = cur.execute("select share from retention_holdout where scope = ?", [scope]).fetchone()
        cur.execute(
            "insert or replace into retention_holdout (scope, share, changed_by, changed_at) values (?, ?, ?, ?)",
            [scope, value, user.username, moment],
        )
        was = "—" if before is None else f"{before[0]:.0%}"
        audit.write(
            cur,
            user.username,
            user.role,
            "change",
            f"retention_holdout {scope or 'department'}",
            f"{was} -> {value:.0%}",
        )

    _in_transaction(con, work)
    return scope
