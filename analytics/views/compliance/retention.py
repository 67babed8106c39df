"""Retention tracking (客户挽留, SPEC §6): accounts at risk by the scores and the rules, whether
each has a retention action, and how actions ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.common import clock
from analytics.common.filters import Filters
from analytics.common.months import add_months, day_end, month_start
from analytics.common.rules import Rules
from analytics.views.compliance._common import scope_params
from analytics.warehouse import queries

OUTCOMES: tuple[str, ...] = ("挽留成功", "部分挽留", "挽留失败")
# Columns of compliance_at_risk.sql, for the empty answer of a warehouse not scored yet.
AT_RISK_COLUMNS: tuple[str, ...] = (
    "account_id",
    "account_name",
    "manager_id",
    "manager_name",
    "district",
    "value_class",
    "is_key_account",
    "churn_probability",
    "revenue_at_risk_yuan",
    "revenue_12m_yuan",
    "churn_reasons",
    "risk_rank",
    "action_count",
    "has_action",
    "latest_action",
    "latest_status",
    "latest_outcome",
    "latest_owner_id",
    "latest_action_at",
)


def has_scores(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where table_name = 'scores' and schema_name = 'main'"
        ).fetchone()[0]
    )


def score_month_for(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dt.date | None:
    """The latest scoring month not after `as_of`'s month (the risk known at the time), or None."""
    if not has_scores(con):
        return None
    (month,) = con.execute(
        "select max(as_of_month) from scores where as_of_month <= ?", [month_start(as_of)]
    ).fetchone()
    return month


def actions_through_for(con: duckdb.DuckDBPyConnection, as_of: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """Up to when retention actions answer the risk judged at `as_of`: the end of that day; but when
    `as_of` falls in the latest scoring month or after it, up to `now` (Asia/Shanghai) — no newer
    scores exist, so what a manager records today answers the risk the pages show (the daily-work
    pages open on the data's latest month while the forms record today's work)."""
    end = day_end(as_of)
    latest = score_month_for(con, dt.date.max)
    if latest is None or month_start(as_of) < latest:
        return end
    return max(end, now or clock.now())


def at_risk_accounts(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    scope: Filters | None,
    rules: Rules,
    *,
    actions_through: dt.datetime | None = None,
) -> pd.DataFrame:
    """Accounts at risk (churn probability at least the rules' `churn_probability_at_least`, the
    SQL macro `is_at_risk`) in the scoring month of `as_of` (see `score_month_for`), highest revenue
    at risk first, with has_action: a retention action not cancelled, recorded from
    `action_lookback_months` months before the end of the scoring month up to `actions_through`
    (default: `actions_through_for(as_of)`). Empty when the warehouse has no scores yet."""
    month = score_month_for(con, as_of)
    if month is None:  # not scored yet, or nothing scored up to as_of
        return pd.DataFrame(columns=list(AT_RISK_COLUMNS))
    through = actions_through or actions_through_for(con, as_of)
    params = {
        **scope_params(scope, as_of),
        "score_month": month,
        "at_risk_probability": rules.churn_probability_at_least,
        "actions_from": add_months(month, 1 - rules.action_lookback_months),
        "actions_through": through,
    }
    return queries.run(con, "compliance_at_risk", params)


def retention_actions(
    con: duckdb.DuckDBPyConnection, since: dt.datetime, until: dt.datetime, scope: Filters | None
) -> pd.DataFrame:
    """Retention actions of accounts in scope recorded in [since, until], newest first."""
    params = {**scope_params(scope, since.date()), "since": since, "until": until}
    return queries.run(con, "compliance_retention_actions", params)


@dataclass(frozen=True)
class RetentionOutcomes:
    actions: int
    open_actions: int  # planned or in progress
    with_outcome: int
    retained: int
    partly_retained: int
    lost: int

    @property
    def success_rate(self) -> float | None:
        """Share of the actions with an outcome that kept the account (挽留成功); None if none."""
        return self.retained / self.with_outcome if self.with_outcome else None


def retention_outcomes(actions: pd.DataFrame) -> RetentionOutcomes:
    """Counts by status and outcome of a frame of retention actions."""
    outcome = actions["outcome"]
    return RetentionOutcomes(
        actions=len(actions),
        open_actions=int(actions["status"].isin(["计划", "进行中"]).sum()),
        with_outcome=int(outcome.notna().sum()),
        retained=int((outcome == OUTCOMES[0]).sum()),
        partly_retained=int((outcome == OUTCOMES[1]).sum()),
        lost=int((outcome == OUTCOMES[2]).sum()),
    )


def without_action(at_risk: pd.DataFrame) -> pd.DataFrame:
    """The at-risk accounts of `at_risk_accounts` with no retention action in the look-back window."""
    return at_risk[~at_risk["has_action"].astype(bool)]
