"""Competitor reports (市场竞争信息, SPEC §6): at least one report per manager per month, and
urgent poaching reports (争抢) filed within the working-day deadline of `analytics.common.workdays`."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common import workdays
from analytics.common.filters import Filters
from analytics.common.months import after_day, day_start, month_start
from analytics.common.rules import Rules
from analytics.views.compliance._common import scope_params
from analytics.warehouse import queries


def competitor_reports(
    con: duckdb.DuckDBPyConnection,
    since: dt.datetime,
    until: dt.datetime,
    scope: Filters | None,
    rules: Rules,
) -> pd.DataFrame:
    """Reports filed in [since, until) in scope, newest first, with is_urgent and — for urgent
    ones — due_on (last on-time day), is_late and working_days_late (0 when on time)."""
    params = {**scope_params(scope, since.date()), "since": since, "until": until}
    return judge_lateness(queries.run(con, "compliance_reports", params), rules)


def judge_lateness(reports: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add is_urgent, due_on, is_late, working_days_late to a frame of reports (Chinese working
    days; raises workdays.CalendarRangeError for a year the calendar does not know)."""
    out = reports.copy()
    out["is_urgent"] = out["kind"] == rules.urgent_kind
    n = rules.urgent_deadline_working_days
    due, late, days_late = [], [], []
    for urgent, observed, reported in zip(out["is_urgent"], out["observed_at"], out["reported_at"], strict=True):
        if not urgent:
            due.append(None)
            late.append(False)
            days_late.append(0)
            continue
        due_on = workdays.deadline(pd.Timestamp(observed).to_pydatetime(), n)
        reported_on = pd.Timestamp(reported).date()
        due.append(due_on)
        late.append(reported_on > due_on)
        days_late.append(max(workdays.working_days_between(due_on, reported_on), 0))
    out["due_on"] = pd.Series(due, index=out.index, dtype="object")
    out["is_late"] = pd.Series(late, index=out.index, dtype=bool)
    out["working_days_late"] = pd.Series(days_late, index=out.index, dtype="int64")
    return out


def month_reports(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules) -> pd.DataFrame:
    """Reports filed in `as_of`'s month up to the end of `as_of`, judged (see competitor_reports)."""
    return competitor_reports(con, day_start(month_start(as_of)), after_day(as_of), scope, rules)


def report_managers(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules
) -> pd.DataFrame:
    """Per manager with accounts in scope: reports filed this month up to `as_of`
    (report_count, urgent_count), last_reported_at, and has_enough_reports against the rule."""
    params = {
        **scope_params(scope, as_of),
        "since": day_start(month_start(as_of)),
        "until": after_day(as_of),
        "urgent_kind": rules.urgent_kind,
    }
    out = queries.run(con, "compliance_report_managers", params)
    out["has_enough_reports"] = out["report_count"] >= rules.reports_per_manager_per_month
    return out


def select_reports(
    reports: pd.DataFrame,
    *,
    kinds: list[str] | None = None,
    competitors: list[str] | None = None,
    only_late: bool = False,
) -> pd.DataFrame:
    """The judged reports of the given kinds and competitors (empty list: all), optionally only
    the late ones."""
    keep = pd.Series(True, index=reports.index)
    if kinds:
        keep &= reports["kind"].isin(kinds)
    if competitors:
        keep &= reports["competitor"].isin(competitors)
    if only_late:
        keep &= reports["is_late"]
    return reports[keep]


def late_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """The urgent reports of `select_reports` that missed the working-day deadline."""
    return reports[reports["is_late"]]


def managers_short_of_reports(managers: pd.DataFrame) -> pd.DataFrame:
    """The managers of `report_managers` who filed fewer reports this month than the rule asks."""
    return managers[~managers["has_enough_reports"]]
