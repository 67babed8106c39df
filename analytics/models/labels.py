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
    con: duckdb.DuckDBPyConnection, window_months: int = WINDOWS.churn_months, sample: tuple[int, int] = (1, 1)
) -> pd.DataFrame:
    """account_id, as_of_month, is_complete, is_churn, revenue_12m_yuan for accounts in service.

    `sample` = (total, keep): only accounts with hash(id) % total < keep, the sample the training
    features are drawn from (a province's labels would not fit in memory otherwise)."""
    return _run(
        con,
        "churn_labels",
        {
            "window_months": window_months,
            "remaining_share": 1 - WINDOWS.churn_revenue_drop,
            "sample_total": sample[0],
            "sample_keep": sample[1],
        },
    )


def adoption_labels(
    con: duckdb.DuckDBPyConnection, window_months: int = WINDOWS.adoption_months, sample: tuple[int, int] = (1, 1)
) -> pd.DataFrame:
    """account_id, as_of_month, area, is_complete, is_adopted for accounts billing at as-of
    (`sample` as for churn_labels)."""
    return _run(
        con, "adoption_labels", {"window_months": window_months, "sample_total": sample[0], "sample_keep": sample[1]}
    )
