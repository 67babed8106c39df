"""The pipeline's writes (商机): each validates its input field by field (`FormChecker`, errors as
`ValidationError` whose problems a page shows beside the fields), reads the user's scope from the
warehouse itself (`auth.scope_managers`: a manager reaches their own accounts, a district head
the district's, the department head every account), and writes the row, its stage history and its
audit event in one transaction on a cursor of its own.

Concurrent edits: every change names the `version` of the opportunity the user saw; a change made
on an older version is refused with `forms.error.stale` — the other session's change stays, and
the user sees it on reloading — instead of overwriting it. Two sessions writing at the same moment
conflict in DuckDB; the loser is retried, finds the version moved on, and is refused the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import duckdb

from analytics.access import audit, auth
from analytics.common import rules
from analytics.views.daily_work.checks import FormChecker, Problem, ValidationError
from analytics.views.daily_work.records import _in_transaction, _new_id, _now
from analytics.views.pipeline.checks import money, month, next_step, products
from analytics.warehouse import db

WRITERS = ("manager", "head", "admin")  # roles that may write opportunities
SOURCES = ("card", "recommendation", "interview", "list", "manual")
ATTEMPTS = 30

__all__ = ["Problem", "ValidationError"]


class NotAllowed(PermissionError):
    """The user's role does not write opportunities (an analyst, a data steward)."""


# ---- helpers ---------------------------------------------------------------------------------


def _scope(cur: duckdb.DuckDBPyConnection, user: auth.User) -> tuple[str, ...] | None:
    if user.role not in WRITERS:
        raise NotAllowed(f"role {user.role!r} does not write opportunities")
    return auth.scope_managers(cur, user)


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    db.ensure_pipeline_tables(con)
    audit.ensure_tables(con)


def _retrying(con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    """`work` in a transaction, again after a conflict with a concurrent one: a write-write conflict
    at commit (TransactionException), or the rival's committed row meeting a unique key at insert
    (ConstraintException: two sessions opening the same account's area) — the next attempt then
    sees the rival's row and says so (`already_open`)."""
    for attempt in range(ATTEMPTS):
        try:
            return _in_transaction(con, work)
        except (duckdb.TransactionException, duckdb.ConstraintException):
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))


def _audit(cur: duckdb.DuckDBPyConnection, user: auth.User, opportunity_id: str, detail: str) -> None:
    audit.write(cur, user.username, user.role, "change", f"opportunity {opportunity_id}", detail)


def _stage_row(cur, opportunity_id: str, from_stage: str | None, to_stage: str, moment, user: auth.User) -> None:
    cur.execute(
        "insert into opportunity_stage_changes (change_id, opportunity_id, from_stage, to_stage, changed_at, "
        "changed_by) values (?, ?, ?, ?, ?, ?)",
        [_new_id("S"), opportunity_id, from_stage, to_stage, moment, user.username],
    )


# ---- create ----------------------------------------------------------------------------------


def create_opportunity(
    con: duckdb.DuckDBPyConnection,
    user: auth.User,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    pipeline: rules.Pipeline | None = None,
) -> str:
    """Insert one opportunity at its first stage (or `stage`, an open one); returns its id.

    values: account_id, area, product_ids (of that area; may be empty), expected_monthly_yuan and
    expected_one_off_yuan (yuan, not negative, not both zero), expected_close_month (this month
    or later), owner_id (default: the account's manager), next_step and next_step_on (not before
    today), source (where it was made from: SOURCES). An account already holding an open
    opportunity of the area is refused (`area`): the open one is followed instead."""
    moment = _now(now)
    p = pipeline or rules.load().pipeline
    _prepare(con)

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        scope = _scope(cur, user)
        check = FormChecker(cur, values, moment, scope)
        account = check.account("account_id")
        area = check.areas("area")
        area_value = area[0] if len(area) == 1 else None
        if area_value is None and "area" not in check.problems:
            check.fail("area", "required")
        product_ids = products(check, "product_ids", area_value)
        monthly = money(check, "expected_monthly_yuan")
        one_off = money(check, "expected_one_off_yuan")
        if monthly == 0 and one_off == 0:
            check.fail("expected_monthly_yuan", "value_needed")
        close_month = month(check, "expected_close_month")
        owner_id = check.manager("owner_id", default=account[1] if account else None, default_field="account_id")
        stage = str(values.get("stage") or p.stages[0])
        if stage not in p.stages:
            check.fail("stage", "choice", allowed=" / ".join(p.stages))
        step, step_on = next_step(check)
        source = str(values.get("source") or "manual")
        if source not in SOURCES:
            check.fail("source", "choice", allowed=" / ".join(SOURCES))
        if account and area_value and "area" not in check.problems:
            open_one = cur.execute(
                "select opportunity_id from opportunities where account_id = ? and area = ? "
                "and not list_contains(?, stage) limit 1",
                [account[0], area_value, list(p.closed)],
            ).fetchone()
            if open_one is not None:
                check.fail("area", "already_open", id=open_one[0])
        if check.problems:
            raise ValidationError(check.problems)
        opportunity_id = _new_id("O")
        cur.execute(
            "insert into opportunities (opportunity_id, account_id, area, product_ids, expected_monthly_yuan, "
            "expected_one_off_yuan, expected_close_month, owner_id, stage, next_step, next_step_on, source, "
            "created_at, updated_at, version, open_key) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [
                opportunity_id,
                account[0],
                area_value,
                product_ids,
                monthly,
                one_off,
                close_month,
                owner_id,
                stage,
                step,
                step_on,
                source,
                moment,
                moment,
                f"{account[0]}|{area_value}",
            ],
        )
        _stage_row(cur, opportunity_id, None, stage, moment, user)
        _audit(cur, user, opportunity_id, f"created: account {account[0]}, {area_value}, {stage}, from {source}")
        return opportunity_id

    # A rival session opening the same account's area commits first: this commit then fails on
    # `open_key`, and the retry finds the rival's opportunity open (`already_open`).
    return _retrying(con, work)


# ---- changes ----------------------------------------------------------------------------------

# What a change sets: (columns and values, the stage it enters or None, the audit detail).
Change = tuple[dict[str, Any], str | None, str]


def _change(
    con: duckdb.DuckDBPyConnection,
    user: auth.User,
    values: Mapping[str, Any],
    decide: Callable[[FormChecker, dict[str, Any], rules.Pipeline], Change],
    *,
    now: dt.datetime | None,
    pipeline: rules.Pipeline | None,
) -> int:
    """Change one open opportunity (values: opportunity_id, version — the one the user saw — and
    what `decide` reads); returns the new version."""
    moment = _now(now)
    p = pipeline or rules.load().pipeline
    _prepare(con)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        scope = _scope(cur, user)
        check = FormChecker(cur, values, moment, scope)
        opportunity_id = check.text("opportunity_id", max_length=64)
        row = None
        if opportunity_id is not None:
            found = cur.execute(
                "select o.opportunity_id, o.stage, o.version, o.created_at, a.manager_id from opportunities as o "
                "inner join accounts as a on a.account_id = o.account_id where o.opportunity_id = ?",
                [opportunity_id],
            ).fetchone()
            if found is None or (scope is not None and found[4] not in scope):
                check.fail("opportunity_id", "unknown_opportunity", id=opportunity_id)  # out of reach: not disclosed
            else:
                row = dict(zip(("opportunity_id", "stage", "version", "created_at", "manager_id"), found, strict=True))
        if row is not None:
            try:
                seen = int(values.get("version"))
            except (TypeError, ValueError):
                seen = None
            if seen != row["version"]:
                check.fail("version", "stale")
            elif row["stage"] in p.closed:
                check.fail("opportunity_id", "already_closed", stage=row["stage"])
        if check.problems:
            raise ValidationError(check.problems)
        sets, to_stage, detail = decide(check, row, p)
        if check.problems:
            raise ValidationError(check.problems)
        sets = {**sets, "updated_at": max(moment, row["created_at"])}
        if to_stage is not None:
            sets["stage"] = to_stage
        assignments = ", ".join(f"{column} = ?" for column in sets)
        updated = cur.execute(
            f"update opportunities set {assignments}, version = version + 1 where opportunity_id = ? and version = ?",
            [*sets.values(), row["opportunity_id"], row["version"]],
        ).fetchone()[0]
        if updated != 1:  # cannot happen inside the transaction; kept as the last guard
            raise ValidationError({"version": Problem("forms.error.stale")})
        if to_stage is not None and to_stage != row["stage"]:
            _stage_row(cur, row["opportunity_id"], row["stage"], to_stage, sets["updated_at"], user)
        _audit(cur, user, row["opportunity_id"], detail)
        return row["version"] + 1

    return _retrying(con, work)


def move_stage(con, user: auth.User, values: Mapping[str, Any], *, now=None, pipeline=None) -> int:
    """Move an open opportunity to another open stage (values: opportunity_id, version, stage);
    closing it is `close_opportunity`'s. Returns the new version."""

    def decide(check: FormChecker, row: dict[str, Any], p: rules.Pipeline) -> Change:
        stage = check.values.get("stage")
        if stage not in p.stages:
            check.fail("stage", "choice", allowed=" / ".join(p.stages))
        elif stage == row["stage"]:
            check.fail("stage", "same_stage")
        return {}, stage, f"stage: {row['stage']} → {stage}"

    return _change(con, user, values, decide, now=now, pipeline=pipeline)


def update_next_step(con, user: auth.User, values: Mapping[str, Any], *, now=None, pipeline=None) -> int:
    """Set an open opportunity's next step and its date (values: opportunity_id, version,
    next_step, next_step_on not before today). Returns the new version."""

    def decide(check: FormChecker, row: dict[str, Any], p: rules.Pipeline) -> Change:
        step, on = next_step(check)
        return {"next_step": step, "next_step_on": on}, None, f"next step on {on}"

    return _change(con, user, values, decide, now=now, pipeline=pipeline)


def close_opportunity(con, user: auth.User, values: Mapping[str, Any], *, now=None, pipeline=None) -> int:
    """Close an open opportunity as won or lost (values: opportunity_id, version, outcome — the
    rules' won or lost stage —, and for lost: lost_reason, one of the rules' list, and when it is
    the competitor reason lost_competitor, a competitor of the schema). Returns the new version."""

    def decide(check: FormChecker, row: dict[str, Any], p: rules.Pipeline) -> Change:
        outcome = check.values.get("outcome")
        reason = competitor = None
        if outcome not in p.closed:
            check.fail("outcome", "choice", allowed=" / ".join(p.closed))
        elif outcome == p.lost:
            reason = check.values.get("lost_reason")
            if reason is None or str(reason).strip() == "":
                check.fail("lost_reason", "lost_needs_reason")
            elif reason not in p.lost_reasons:
                check.fail("lost_reason", "choice", allowed=" / ".join(p.lost_reasons))
            elif reason == p.competitor_reason:
                competitor = check.choice("lost_competitor", "competitor", required=False)
                if competitor is None and "lost_competitor" not in check.problems:
                    check.fail("lost_competitor", "lost_needs_competitor")
        elif check.values.get("lost_reason"):
            check.fail("lost_reason", "reason_needs_lost")
        sets = {"lost_reason": reason, "lost_competitor": competitor, "closed_at": check.now, "open_key": None}
        detail = f"closed: {outcome}" + (f" ({reason}{', ' + competitor if competitor else ''})" if reason else "")
        return sets, outcome, detail

    return _change(con, user, values, decide, now=now, pipeline=pipeline)


# ---- proposals -------------------------------------------------------------------------------


def record_proposal(
    con: duckdb.DuckDBPyConnection,
    user: auth.User,
    account_id: str,
    *,
    language: str,
    file_name: str,
    data: bytes,
    now: dt.datetime | None = None,
    pipeline: rules.Pipeline | None = None,
) -> list[str]:
    """A 服务方案 was made for `account_id` (downloaded from the account view): record it against
    each open opportunity of the account (none open: nothing is recorded) with its language, file
    name and the SHA-256 of its bytes. Returns the ids of the proposals recorded."""
    moment = _now(now)
    p = pipeline or rules.load().pipeline
    _prepare(con)
    digest = hashlib.sha256(data).hexdigest()

    def work(cur: duckdb.DuckDBPyConnection) -> list[str]:
        scope = _scope(cur, user)
        rows = cur.execute(
            "select o.opportunity_id, a.manager_id from opportunities as o "
            "inner join accounts as a on a.account_id = o.account_id "
            "where o.account_id = ? and not list_contains(?, o.stage) order by o.created_at",
            [account_id, list(p.closed)],
        ).fetchall()
        made = []
        for opportunity_id, manager_id in rows:
            if scope is not None and manager_id not in scope:
                continue  # an account out of reach gets nothing recorded
            proposal_id = _new_id("P")
            cur.execute(
                "insert into opportunity_proposals (proposal_id, opportunity_id, sent_at, sent_by, language, "
                "file_name, sha256) values (?, ?, ?, ?, ?, ?, ?)",
                [proposal_id, opportunity_id, moment, user.username, language, file_name[:200], digest],
            )
            _audit(cur, user, opportunity_id, f"proposal sent: {file_name} ({language}, sha256 {digest[:12]})")
            made.append(proposal_id)
        return made

    return _in_transaction(con, work)
