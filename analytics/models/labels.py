"""Label definitions and as-of windows — the one place that says what the models predict.

A row "as of" month t describes the account at the end of t; features only read months ≤ t
(`mart_account_features` windows end at the current row), labels only months after t.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import config
from analytics.config import WINDOWS

LABEL_DIR = config.SQL_DIR / "labels"


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    return con.execute((LABEL_DIR / f"{name}.sql").read_text(encoding="utf-8"), params).df()


def churn_labels(
    con: duckdb.DuckDBPyConnection, window_months: int = WINDOWS.churn_months
) -> pd.DataFrame:
    """account_id, as_of_month, is_complete, is_churn, revenue_12m_yuan for accounts in service."""
    return _run(con, "churn_labels", {"window_months": window_months,
                                      "remaining_share": 1 - WINDOWS.churn_revenue_drop})


def adoption_labels(
    con: duckdb.DuckDBPyConnection, window_months: int = WINDOWS.adoption_months
) -> pd.DataFrame:
    """account_id, as_of_month, area, is_complete, is_adopted for accounts billing at as-of."""
    return _run(con, "adoption_labels", {"window_months": window_months})
