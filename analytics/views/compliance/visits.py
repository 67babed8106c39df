"""Interview log figures (服务次数, SPEC §6): contacts per account against the quota of its
class in the rolling window the rules give, and the accounts under-served."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common.filters import Filters
from analytics.common.rules import Rules
from analytics.views.compliance._common import scope_params
from analytics.warehouse import queries


def visit_counts(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules) -> pd.DataFrame:
    """One row per account in service at `as_of`: quota_visits, quota_months, window_start_on,
    visit_count (counted channels), on_site_count, last_contact_at, is_under_quota,
    visits_missing."""
    params = {**scope_params(scope, as_of), **rules.quota_params()}
    return queries.run(con, "compliance_visits", params)


def under_served(visits: pd.DataFrame) -> pd.DataFrame:
    """The accounts under quota, most visits missing first."""
    rows = visits[visits["is_under_quota"]]
    return rows.sort_values(["visits_missing", "account_id"], ascending=[False, True]).reset_index(drop=True)


def interactions(
    con: duckdb.DuckDBPyConnection, since: dt.datetime, until: dt.datetime, scope: Filters | None, limit: int = 200
) -> pd.DataFrame:
    """Interviews and calls of accounts in scope in [since, until), newest first (at most `limit`)."""
    params = {**scope_params(scope, since.date()), "since": since, "until": until, "limit": limit}
    return queries.run(con, "compliance_interactions", params)
