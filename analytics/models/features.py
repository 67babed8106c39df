"""Which columns the warehouse models read, and the frame they read them from.

Everything comes from `mart_account_features` (as of the end of each month, no later month
read) plus the needs the notes model found in recent interviews (`note_needs_monthly`) and the
scope model's score of the account's business scope per area (`scope_scores`, out-of-fold: see
`analytics/models/scope/model.py`).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics import config
from analytics.config import AREAS

FEATURE_SQL = config.SQL_DIR / "features"

CHURN_NUMERIC: tuple[str, ...] = (
    "revenue_yuan",
    "revenue_avg_12m_yuan",
    "revenue_change_1m",
    "revenue_trend_3m",
    "revenue_change_yoy",
    "revenue_from_peak_12m",
    "revenue_volatility_6m",
    "product_count",
    "product_count_change_3m",
    "area_count",
    "group_paid_share",
    "member_count",
    "member_change_3m",
    "member_change_6m",
    "member_left_group_rate_3m",
    "member_left_network_rate_3m",
    "member_left_group_rate_6m",
    "member_joined_rate_3m",
    "member_arpu_yuan",
    "complaints_3m",
    "complaints_6m",
    "complaints_12m",
    "severe_complaints_6m",
    "urgent_reports_2m",
    "urgent_reports_6m",
    "other_reports_3m",
    "note_competitor_3m",
    "interactions_3m",
    "interactions_12m",
    "tenure_months",
    "months_to_agreement_end",
    "has_decision_maker_on_competitor",
    "is_key_account",
    "employee_count",
)
CHURN_CATEGORICAL: tuple[str, ...] = ("value_class", "industry", "ownership")


# Whether the upsell models read the scope model's score of their area (`scope_<area>`). On
# `needsmine demo --accounts 5000 --seed 7` it raised every area's AUC averaged over the three
# backtest origins (+0.004 basic_comm, +0.003 mobile_office, +0.004 production_control, +0.008
# service_marketing); at the test month AUC / truth AUC went 0.946→0.958, 0.953→0.955,
# 0.935→0.932 (within a month's noise), 0.912→0.922.
SCOPE_IN_UPSELL = True


def upsell_numeric(area: str) -> tuple[str, ...]:
    """Columns of the upsell model of one area: the account's size, spend and structure, its
    peers' holdings of the area, the needs voiced for it in interviews and (SCOPE_IN_UPSELL)
    what its business scope says of the area."""
    scope = (f"scope_{area}",) if SCOPE_IN_UPSELL else ()
    return (
        *scope,
        "revenue_avg_12m_yuan",
        "revenue_trend_3m",
        "revenue_from_peak_12m",
        "product_count",
        "area_count",
        "member_count",
        "member_change_6m",
        "member_left_group_rate_6m",
        "employee_count",
        "tenure_months",
        "months_to_agreement_end",
        "is_key_account",
        "complaints_6m",
        "urgent_reports_6m",
        "interactions_12m",
        f"share_{area}",
        f"product_count_{area}",
        f"peer_rate_{area}",
        f"need_{area}_6m",
        f"need_{area}_3m",
        f"need_{area}_share",
        f"note_need_{area}_6m",
        f"note_need_{area}_3m",
        f"whitespace_{area}",
        f"whitespace_count_{area}",
        *(f"peer_rate_{other}" for other in AREAS if other != area),
    )


UPSELL_CATEGORICAL: tuple[str, ...] = ("value_class", "industry", "size_band")


def sample_of(con: duckdb.DuckDBPyConnection, max_accounts: int | None) -> tuple[int, int]:
    """(total, keep) for the hash sample `hash(account_id) % total < keep` of about max_accounts
    accounts; (1, 1) keeps every account."""
    if max_accounts:
        count = con.execute("select count(distinct account_id) from mart_account_features").fetchone()[0]
        if count > max_accounts:
            return count, max_accounts
    return 1, 1


def load_frame(
    con: duckdb.DuckDBPyConnection,
    from_month: dt.date,
    to_month: dt.date,
    *,
    max_accounts: int | None = None,
) -> pd.DataFrame:
    """Features of every account as of each month in [from_month, to_month]; with max_accounts,
    of a fixed pseudo-random sample of about that many accounts (by a hash of the id)."""
    notes_sql = (FEATURE_SQL / "note_needs_monthly.sql").read_text(encoding="utf-8")
    has_notes = bool(
        con.execute("select count(*) from duckdb_tables() where table_name = 'interaction_needs'").fetchone()[0]
    )
    total, keep = sample_of(con, max_accounts)
    params = {
        "from_month": from_month,
        "to_month": to_month,
        "sample_total": total,
        "sample_keep": keep,
    }
    frame = con.execute(
        "select * from mart_account_features where billing_month between $from_month and $to_month "
        "and hash(account_id) % $sample_total < $sample_keep",
        params,
    ).df()
    whitespace = con.execute((FEATURE_SQL / "whitespace_monthly.sql").read_text(encoding="utf-8"), params).df()
    frame = frame.merge(whitespace, on=["account_id", "billing_month"], how="left")
    if has_notes:
        notes = con.execute(notes_sql, params).df()
        frame = frame.merge(notes, on=["account_id", "billing_month"], how="left")
    else:  # no notes model yet: the manager's own tags stand in
        for area in AREAS:
            frame[f"note_need_{area}_6m"] = (frame[f"need_{area}_6m"] > 0).astype(float)
            frame[f"note_need_{area}_3m"] = frame[f"need_{area}_3m"]
        frame["note_competitor_3m"] = 0
    has_scope = bool(
        con.execute("select count(*) from duckdb_tables() where table_name = 'scope_scores'").fetchone()[0]
    )
    if has_scope:
        columns = ", ".join(["account_id", *(f"scope_{area}" for area in AREAS)])
        frame = frame.merge(con.execute(f"select {columns} from scope_scores").df(), on="account_id", how="left")
    for area in AREAS:  # no scope model (no scopes in the data): a constant, which the models ignore
        column = f"scope_{area}"
        frame[column] = frame[column].astype(float) if has_scope else 0.0
    frame["size_band"] = frame["size_band"].astype(str)
    for column in ("is_key_account", "has_decision_maker_on_competitor"):
        frame[column] = frame[column].astype(float)
    # DuckDB returns rows in whatever order its threads finish: without a fixed order the same
    # warehouse and seed gave different folds, penalties and AUCs from run to run.
    return frame.sort_values(["account_id", "billing_month"], kind="stable", ignore_index=True)


def month_bounds(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date]:
    first, last = con.execute("select min(billing_month), max(billing_month) from mart_account_features").fetchone()
    return first, last
