"""The projects' writes (信息化项目), as the pipeline's (`analytics/views/pipeline/writes.py`): each
validates field by field (`FormChecker`; errors as `ValidationError`, shown beside the fields),
reads the user's scope from the warehouse itself (a manager reaches the projects on their own
accounts, a district head the district's, the department head all), and writes its rows and its
audit event in one transaction on a cursor of its own.

Concurrent edits: every change names the `version` of the project the user saw (milestones and
collaborators included); one made on an older version is refused with `forms.error.project_stale`
instead of overwriting the other session's change. Two sessions making a project of the same
opportunity at once meet the unique `opportunity_id`: the loser is retried and told it exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import duckdb

from analytics.access import audit, auth
from analytics.common import i18n, rules
from analytics.common import project_terms as terms
from analytics.views.daily_work.checks import EARLIEST, FormChecker, Problem, ValidationError
from analytics.views.daily_work.records import _new_id, _now
from analytics.views.pipeline.writes import WRITERS, NotAllowed, _retrying
from analytics.warehouse import db

__all__ = ["NotAllowed", "Problem", "ValidationError"]


def _scope(cur: duckdb.DuckDBPyConnection, user: auth.User) -> tuple[str, ...] | None:
    if user.role not in WRITERS:
        raise NotAllowed(f"role {user.role!r} does not write projects")
    return auth.scope_managers(cur, user)


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    db.ensure_pipeline_tables(con)
    audit.ensure_tables(con)


def _audit(cur, user: auth.User, project_id: str, detail: str) -> None:
    audit.write(cur, user.username, user.role, "change", f"project {project_id}", detail)


def qualifies(area: str, monthly: float, one_off: float) -> str | None:
    """The project kind of a signed opportunity of `area` and value, or None when it makes none."""
    kind = terms.KINDS.get(area)
    if kind is None or 12 * float(monthly) + float(one_off) < terms.MIN_FIRST_YEAR_YUAN:
        return None
    return kind


def _date(check: FormChecker, name: str, *, latest: dt.date, late_key: str) -> dt.date | None:
    """An optional date from EARLIEST to `latest` (later: `late_key`)."""
    raw = check.values.get(name)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        value = dt.date.fromisoformat(raw.strip()) if isinstance(raw, str) else raw
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise TypeError
    except (TypeError, ValueError):
        check.fail(name, "not_a_time")
        return None
    if value < EARLIEST.date():
        check.fail(name, "too_old", day=f"{EARLIEST:%Y-%m-%d}")
    elif value > latest:
        check.fail(name, late_key, day=f"{latest:%Y-%m-%d}")
    return value


# ---- create -----------------------------------------------------------------------------------


def create_project(
    con: duckdb.DuckDBPyConnection,
    user: auth.User,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    pipeline: rules.Pipeline | None = None,
) -> str:
    """Make a project of one signed opportunity (values: opportunity_id, project_name — default:
    the account's name and the kind); returns its id. The opportunity must be signed, of a
    project area and value (`qualifies`), within reach, and not a project yet. Its five
    milestones are written with 合同's dates the signing day (planned and actual)."""
    moment = _now(now)
    p = pipeline or rules.load().pipeline
    _prepare(con)

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        scope = _scope(cur, user)
        check = FormChecker(cur, values, moment, scope)
        opportunity_id = check.text("opportunity_id", max_length=64)
        found = None
        if opportunity_id is not None:
            found = cur.execute(
                "select o.opportunity_id, o.account_id, a.account_name, a.manager_id, o.stage, o.area::varchar, "
                "o.expected_monthly_yuan::double, o.expected_one_off_yuan::double, o.closed_at "
                "from opportunities as o inner join accounts as a on a.account_id = o.account_id "
                "where o.opportunity_id = ?",
                [opportunity_id],
            ).fetchone()
            if found is None or (scope is not None and found[3] not in scope):
                check.fail("opportunity_id", "unknown_opportunity", id=opportunity_id)
                found = None
        kind = None
        if found is not None:
            _, account_id, account_name, _, stage, area, monthly, one_off, closed_at = found
            kind = qualifies(area, monthly, one_off)
            if stage != p.won:
                check.fail("opportunity_id", "not_signed", stage=stage)
            elif kind is None:
                check.fail("opportunity_id", "not_project", n=f"{terms.MIN_FIRST_YEAR_YUAN:,}")
            else:
                existing = cur.execute(
                    "select project_id from projects where opportunity_id = ?", [opportunity_id]
                ).fetchone()
                if existing is not None:
                    check.fail("opportunity_id", "already_project", id=existing[0])
        name = check.text("project_name", max_length=terms.MAX_NAME, required=False)
        if check.problems:
            raise ValidationError(check.problems)
        project_id = _new_id("J")
        name = name or f"{account_name}{i18n.text(f'project.kind.{kind}', 'zh')}项目"
        signed_on = (closed_at or moment).date()
        cur.execute(
            "insert into projects (project_id, opportunity_id, account_id, kind, project_name, created_at, "
            "created_by, updated_at, version) values (?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [project_id, opportunity_id, account_id, kind, name, moment, user.username, moment],
        )
        for milestone in terms.MILESTONES:
            day = signed_on if milestone == terms.CONTRACT else None
            cur.execute(
                "insert into project_milestones (project_id, milestone, planned_on, actual_on, updated_at, "
                "updated_by) values (?, ?, ?, ?, ?, ?)",
                [project_id, milestone, day, day, moment, user.username],
            )
        _audit(cur, user, project_id, f"created from opportunity {opportunity_id}: {kind}, {name}")
        return project_id

    return _retrying(con, work)


# ---- changes ----------------------------------------------------------------------------------


def _change(
    con: duckdb.DuckDBPyConnection,
    user: auth.User,
    values: Mapping[str, Any],
    decide: Callable[[FormChecker, str], Callable[[duckdb.DuckDBPyConnection], str] | None],
    now: dt.datetime | None,
) -> int:
    """Change one project (values: project_id, version — the one the user saw — and what `decide`
    reads). `decide` validates and returns the write (which returns the audit detail). Returns
    the new version."""
    moment = _now(now)
    _prepare(con)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        scope = _scope(cur, user)
        check = FormChecker(cur, values, moment, scope)
        project_id = check.text("project_id", max_length=64)
        row = None
        if project_id is not None:
            row = cur.execute(
                "select j.project_id, j.version, j.created_at, a.manager_id from projects as j "
                "inner join accounts as a on a.account_id = j.account_id where j.project_id = ?",
                [project_id],
            ).fetchone()
            if row is None or (scope is not None and row[3] not in scope):
                check.fail("project_id", "unknown_project", id=project_id)  # out of reach: not disclosed
                row = None
        if row is not None:
            try:
                seen = int(values.get("version"))
            except (TypeError, ValueError):
                seen = None
            if seen != row[1]:
                check.fail("version", "project_stale")
        if check.problems:
            raise ValidationError(check.problems)
        write = decide(check, row[0])
        if check.problems or write is None:
            raise ValidationError(check.problems)
        detail = write(cur)
        cur.execute(
            "update projects set version = version + 1, updated_at = ? where project_id = ? and version = ?",
            [max(moment, row[2]), row[0], row[1]],
        )
        _audit(cur, user, row[0], detail)
        return row[1] + 1

    return _retrying(con, work)


def set_milestone(con, user: auth.User, values: Mapping[str, Any], *, now: dt.datetime | None = None) -> int:
    """Set one milestone's planned and actual dates (values: project_id, version, milestone,
    planned_on, actual_on; a date left empty is unknown). The planned date lies at most
    MAX_PLANNED_YEARS ahead, the actual one not after today, and an actual date keeps the
    milestones' order (not before an earlier milestone's, not after a later one's). Returns the
    new version."""

    def decide(check: FormChecker, project_id: str):
        milestone = check.values.get("milestone")
        if milestone not in terms.MILESTONES:
            check.fail("milestone", "choice", allowed=" / ".join(terms.MILESTONES))
        today = check.now.date()
        planned = _date(
            check, "planned_on", latest=today.replace(year=today.year + terms.MAX_PLANNED_YEARS), late_key="too_far"
        )
        actual = _date(check, "actual_on", latest=today, late_key="date_future")
        if milestone in terms.MILESTONES and actual is not None and "actual_on" not in check.problems:
            done = dict(
                check.cur.execute(
                    "select milestone, actual_on from project_milestones "
                    "where project_id = ? and actual_on is not null",
                    [project_id],
                ).fetchall()
            )
            position = terms.MILESTONES.index(milestone)
            for other in terms.MILESTONES[:position]:
                if other in done and done[other] > actual:
                    check.fail("actual_on", "milestone_before", milestone=other, day=f"{done[other]:%Y-%m-%d}")
                    break
            for other in terms.MILESTONES[position + 1 :]:
                if "actual_on" not in check.problems and other in done and done[other] < actual:
                    check.fail("actual_on", "milestone_after", milestone=other, day=f"{done[other]:%Y-%m-%d}")
                    break
        if check.problems:
            return None

        def write(cur: duckdb.DuckDBPyConnection) -> str:
            cur.execute(
                "delete from project_milestones where project_id = ? and milestone = ?", [project_id, milestone]
            )
            cur.execute(
                "insert into project_milestones (project_id, milestone, planned_on, actual_on, updated_at, "
                "updated_by) values (?, ?, ?, ?, ?, ?)",
                [project_id, milestone, planned, actual, check.now, user.username],
            )
            return f"milestone {milestone}: planned {planned or '-'}, actual {actual or '-'}"

        return write

    return _change(con, user, values, decide, now)


def add_collaborator(con, user: auth.User, values: Mapping[str, Any], *, now: dt.datetime | None = None) -> int:
    """Add a collaborator (values: project_id, version, person_name, role — one of ROLES); the
    same person in the same role twice is refused. Returns the new version."""

    def decide(check: FormChecker, project_id: str):
        name = check.text("person_name", max_length=terms.MAX_NAME)
        role = check.values.get("role")
        if role not in terms.ROLES:
            check.fail("role", "choice", allowed=" / ".join(terms.ROLES))
        if name is not None and role in terms.ROLES and "person_name" not in check.problems:
            twice = check.cur.execute(
                "select count(*) from project_collaborators where project_id = ? and person_name = ? and role = ?",
                [project_id, name, role],
            ).fetchone()[0]
            if twice:
                check.fail("person_name", "already_collaborator")
        if check.problems:
            return None

        def write(cur: duckdb.DuckDBPyConnection) -> str:
            cur.execute(
                "insert into project_collaborators (collaborator_id, project_id, person_name, role, added_at, "
                "added_by) values (?, ?, ?, ?, ?, ?)",
                [_new_id("C"), project_id, name, role, check.now, user.username],
            )
            return f"collaborator added: {name} ({role})"

        return write

    return _change(con, user, values, decide, now)


def remove_collaborator(con, user: auth.User, values: Mapping[str, Any], *, now: dt.datetime | None = None) -> int:
    """Remove one collaborator of the project (values: project_id, version, collaborator_id)."""

    def decide(check: FormChecker, project_id: str):
        collaborator_id = check.values.get("collaborator_id")
        found = check.cur.execute(
            "select person_name, role from project_collaborators where project_id = ? and collaborator_id = ?",
            [project_id, str(collaborator_id or "")],
        ).fetchone()
        if found is None:
            check.fail("collaborator_id", "unknown_collaborator")
            return None

        def write(cur: duckdb.DuckDBPyConnection) -> str:
            cur.execute("delete from project_collaborators where collaborator_id = ?", [collaborator_id])
            return f"collaborator removed: {found[0]} ({found[1]})"

        return write

    return _change(con, user, values, decide, now)
