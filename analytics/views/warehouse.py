"""The data page (数据概览): the warehouse's headline figures — what was loaded, how much, up to
when — and monthly revenue by area."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.warehouse import queries


@dataclass(frozen=True)
class Headline:
    latest_month: str
    account_count: int
    active_account_count: int
    key_account_count: int
    manager_count: int
    district_count: int
    billed_account_count: int
    revenue_yuan: float
    revenue_change: float | None  # month on month, as a fraction


def headline(con: duckdb.DuckDBPyConnection) -> Headline:
    row = queries.run(con, "headline").iloc[0]
    previous = row["previous_revenue_yuan"]
    revenue = float(row["revenue_yuan"] or 0)
    return Headline(
        latest_month=pd.Timestamp(row["latest_month"]).strftime("%Y-%m") if pd.notna(row["latest_month"]) else "—",
        account_count=int(row["account_count"]),
        active_account_count=int(row["active_account_count"]),
        key_account_count=int(row["key_account_count"]),
        manager_count=int(row["manager_count"]),
        district_count=int(row["district_count"]),
        billed_account_count=int(row["billed_account_count"] or 0),
        revenue_yuan=revenue,
        revenue_change=(revenue / float(previous) - 1) if pd.notna(previous) and previous else None,
    )


def revenue_by_area(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Monthly revenue (万元) per area, for a stacked chart."""
    frame = queries.run(con, "revenue_by_area")
    frame["area"] = frame["area"].astype(str)
    frame["revenue_wan_yuan"] = frame["revenue_yuan"].astype(float) / 1e4
    return frame
