"""Refused sign-in attempts, counted in the warehouse under parallel load (issue 14).

A refusal is one more failure, added by one UPDATE (or, for a name that is no user, one upsert into
`app_sign_in_failures`) — the count is never read, added to and written back here — in the same
transaction as its audit event. DuckDB's optimistic concurrency refuses the second of two parallel
writes to one row ("Conflict on update"); the whole transaction is then rolled back and run
again, so every attempt ends counted and audited exactly once, and no conflict reaches the form.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from analytics.access import audit

RETRIES = 200  # write conflicts with parallel attempts: each round lets at least one through
T = TypeVar("T")

# One more failure; lock at the limit unless already locked (a running lock is kept, not extended).
_COUNT = """
    failed_attempts = {t}failed_attempts + 1,
    locked_until = case
        when {t}locked_until > $now then {t}locked_until
        when {t}failed_attempts + 1 >= $limit then $until
        else {t}locked_until
    end"""
_REFUSE_USER = f"""
    update app_users set {_COUNT.format(t="")}
    where username = $name
    returning failed_attempts, locked_until"""
_REFUSE_NAME = f"""
    insert into app_sign_in_failures (username, failed_attempts, locked_until, last_failed_at)
    values ($name, 1, case when 1 >= $limit then $until end, $now)
    on conflict (username) do update set {_COUNT.format(t="app_sign_in_failures.")}, last_failed_at = $now
    returning failed_attempts, locked_until"""
_DETAILS = {"unknown": "unknown user", "inactive": "inactive user", "wrong_password": "wrong password"}


def atomically(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    retry_on: tuple[type[Exception], ...] = (duckdb.TransactionException,),
) -> T:
    """Run `work` on a fresh cursor in one transaction; when DuckDB reports a conflict with a
    parallel transaction ("Conflict on update"), roll back and run it again, up to RETRIES times."""
    for attempt in range(RETRIES):
        cur = con.cursor()
        try:
            cur.begin()
            result = work(cur)
            cur.commit()
            return result
        except retry_on:
            _rollback(cur)
            if attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.001 * min(attempt + 1, 20)))  # spreads the retries
        except BaseException:
            _rollback(cur)
            raise
        finally:
            cur.close()
    raise AssertionError("unreachable")


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is open on `cur`: a conflict found at commit has ended the transaction
    already, and DuckDB then refuses a rollback ("no transaction is active")."""
    with contextlib.suppress(duckdb.TransactionException):
        cur.rollback()


def refuse(
    con: duckdb.DuckDBPyConnection,
    username: str,
    reason: str,
    now: dt.datetime,
    limit: int,
    lockout: dt.timedelta,
) -> tuple[str, dt.datetime | None]:
    """Count and audit one refused attempt for `username` ('unknown', 'inactive' or
    'wrong_password'); (the reason — 'locked' while the name is locked — and the lock's end)."""

    def count(cur: duckdb.DuckDBPyConnection) -> tuple[str, dt.datetime | None]:
        return _refuse(cur, username, reason, now, limit, lockout)

    return atomically(con, count, (duckdb.TransactionException, duckdb.ConstraintException))


def _refuse(cur, username, reason, now, limit, lockout) -> tuple[str, dt.datetime | None]:
    unknown = reason == "unknown"
    before = cur.execute(
        "select locked_until, null from app_sign_in_failures where username = ?"
        if unknown
        else "select locked_until, role from app_users where username = ?",
        [username],
    ).fetchone()
    was_locked = before is not None and before[0] is not None and before[0] > now
    params = {"name": username, "now": now, "limit": limit, "until": now + lockout}
    count, locked_until = cur.execute(_REFUSE_NAME if unknown else _REFUSE_USER, params).fetchone()
    locked = locked_until is not None and locked_until > now
    detail = _DETAILS[reason]
    if was_locked:
        detail = f"{detail} while locked until {locked_until:%Y-%m-%d %H:%M:%S}"
    elif locked:
        detail = f"{detail}; {count} failed attempts: locked until {locked_until:%Y-%m-%d %H:%M:%S}"
    action = "locked_out" if locked and not was_locked else "sign_in_failed"
    audit.write(cur, username, before[1] if before else None, action, "session", f"{detail} (attempt {count})")
    return ("locked" if locked else reason), (locked_until if locked else None)
