"""Profile freshness (基本资料 / 个性化资料, SPEC §6): whether each account's basic and personal
data were updated within the cadence of its class, per account, manager and district, and over
time."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common.filters import Filters
from analytics.common.months import add_months, month_end
from analytics.common.rules import Rules
from analytics.views.compliance._common import scope_params
from analytics.warehouse import queries


def profile_status(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules) -> pd.DataFrame:
    """One row per account in service at `as_of` and kind (basic/personal): last_updated_at,
    due_on, is_overdue, days_overdue, with the account's manager, district and class."""
    params = {**scope_params(scope, as_of), **rules.cadence_params()}
    return queries.run(con, "compliance_profile_status", params)


def overdue(status: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The overdue rows of one kind, longest overdue first."""
    rows = status[(status["kind"] == kind) & status["is_overdue"]]
    return rows.sort_values(["days_overdue", "account_id"], ascending=[False, True]).reset_index(drop=True)


def profile_rates(status: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group of `by` (e.g. ["district"] or ["manager_id", "manager_name"]): accounts, overdue
    basic and personal, and the share of accounts within cadence for each kind."""
    wide = status.pivot_table(index=["account_id", *by], columns="kind", values="is_overdue", aggfunc="first")
    wide = wide.reindex(columns=["basic", "personal"]).fillna(False).astype(bool).reset_index()
    grouped = wide.groupby(by, dropna=False)
    out = grouped.agg(
        account_count=("account_id", "size"),
        basic_overdue=("basic", "sum"),
        personal_overdue=("personal", "sum"),
    ).reset_index()
    out["basic_rate"] = 1 - out["basic_overdue"] / out["account_count"]
    out["personal_rate"] = 1 - out["personal_overdue"] / out["account_count"]
    return out


def profile_trend(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules, months: int = 12
) -> pd.DataFrame:
    """Per month end of the `months` months up to `as_of` (the last point is `as_of` itself) and
    kind: account_count, overdue_count, compliance_rate."""
    days = [month_end(add_months(as_of, -k)) for k in reversed(range(1, months))] + [as_of]
    params = {**scope_params(scope, as_of), **rules.cadence_params(), "as_of_days": days}
    return queries.run(con, "compliance_profile_trend", params)
