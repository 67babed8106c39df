"""The portfolio overview (组合总览) for department heads: headline figures with their change on
the previous month, the accounts with the most revenue at risk, breakdowns by district and by
manager, and how churn risk spreads. Every figure is aggregated in DuckDB within the filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import queries
from analytics.filters import Filters

# An account counts as "at risk" from this churn probability (within the churn window) on.
AT_RISK_PROBABILITY = 0.10
# Lower edges of the churn-probability bands of the risk distribution (the last band is open).
RISK_BAND_EDGES: tuple[float, ...] = (0.0, 0.02, 0.05, 0.10, 0.20, 0.40)


@dataclass(frozen=True)
class Figure:
    """A headline figure this month and the month before (None: the month before has no value)."""

    value: float
    previous: float | None

    @property
    def difference(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change(self) -> float | None:
        """Relative change on the previous month (None when there is none to compare with)."""
        return None if not self.previous else self.value / self.previous - 1


@dataclass(frozen=True)
class Headline:
    month: dt.date
    accounts: Figure  # accounts in service (scored) this month
    at_risk_accounts: Figure  # of which at risk (churn probability ≥ AT_RISK_PROBABILITY)
    revenue_yuan: Figure  # billed this month
    revenue_at_risk_yuan: Figure  # Σ churn probability × trailing 12-month revenue
    opportunity_value_yuan: Figure  # Σ expected annual value of new products


@dataclass(frozen=True)
class Ranked:
    """The first rows of a ranking and how many rows the whole ranking has."""

    rows: pd.DataFrame
    total: int


def _params(filters: Filters, **extra: object) -> dict[str, object]:
    return filters.params() | {"at_risk_probability": AT_RISK_PROBABILITY} | extra


def headline(con: duckdb.DuckDBPyConnection, filters: Filters) -> Headline:
    """The filtered accounts' headline figures for `filters.month` and the month before it.

    Figures from scores have no previous value when the previous month was not scored; revenue
    comes from billing and has one whenever the previous month was billed.
    """
    row = queries.run(con, "portfolio_headline", _params(filters)).iloc[0]

    def figure(name: str, scored: bool = True) -> Figure:
        value, previous = row[name], row[f"previous_{name}"]
        this_month_missing = pd.isna(value)
        return Figure(
            value=0.0 if this_month_missing else float(value),
            previous=None if pd.isna(previous) or (scored and this_month_missing) else float(previous),
        )

    return Headline(
        month=filters.month,
        accounts=figure("account_count"),
        at_risk_accounts=figure("at_risk_account_count"),
        revenue_yuan=figure("revenue_yuan", scored=False),
        revenue_at_risk_yuan=figure("revenue_at_risk_yuan"),
        opportunity_value_yuan=figure("opportunity_value_yuan"),
    )


def at_risk(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """The `limit` filtered accounts with the most revenue at risk this month, most first."""
    return queries.run(con, "portfolio_at_risk", _params(filters, limit=limit))


def by_district(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accounts, revenue, revenue at risk, accounts at risk and opportunity value per district."""
    return queries.run(con, "portfolio_by_district", _params(filters))


def by_manager(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 200) -> Ranked:
    """The same figures per account manager: the `limit` with the most revenue at risk."""
    frame = queries.run(con, "portfolio_by_manager", _params(filters, limit=limit))
    total = int(frame["manager_count"].iloc[0]) if len(frame) else 0
    return Ranked(frame.drop(columns="manager_count"), total)


def risk_bands(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accounts and revenue at risk per band of churn probability (every band, empty ones too).

    Columns: band (1…), lower, upper (None for the last, open band), account_count,
    revenue_at_risk_yuan.
    """
    counted = queries.run(con, "portfolio_risk_bands", _params(filters, band_edges=list(RISK_BAND_EDGES)))
    edges = list(RISK_BAND_EDGES)
    bands = pd.DataFrame(
        {
            "band": range(1, len(edges) + 1),
            "lower": edges,
            "upper": [*edges[1:], None],
        }
    )
    merged = bands.merge(counted, on="band", how="left")
    merged["account_count"] = merged["account_count"].fillna(0).astype("int64")
    merged["revenue_at_risk_yuan"] = merged["revenue_at_risk_yuan"].fillna(0.0).astype(float)
    return merged
