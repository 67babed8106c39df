"""Consumption trends for analysts: revenue, quantity and billed accounts over time by a chosen
dimension, the structure of revenue (shares and their shift), year on year, and opening-year
cohorts — all from one monthly aggregate per question, computed in DuckDB.

Without a manager filter the aggregate comes from `mart_revenue_monthly_summary` (month ×
district × industry × class, a few hundred thousand rows at province scale); its grain has no
manager, so with a manager filter (or a user's scope) it is read from the stored account-month
activity, or from billing when products are asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.common.filters import Filters
from analytics.common.months import add_months
from analytics.warehouse import queries

DIMENSIONS: tuple[str, ...] = ("area", "product", "industry", "district", "value_class")
COHORT = "opened_year"
MONTHLY_COLUMNS = ["billing_month", "group_value", "revenue_yuan", "quantity", "account_count"]


def grain_of(dimension: str, product: str | None = None) -> str:
    """The summary grain that answers a breakdown: products (one chosen, or by product), areas,
    or whole accounts (every other dimension, and the cohorts)."""
    if dimension == COHORT:
        return "account"
    if product is not None or dimension == "product":
        return "product"
    return "area" if dimension == "area" else "account"


def reads_summary(filters: Filters) -> bool:
    """True when the summary mart can answer these filters (it has no manager column)."""
    return not filters.managers and filters.scope_managers is None


def monthly(
    con: duckdb.DuckDBPyConnection, filters: Filters, dimension: str, product: str | None = None
) -> pd.DataFrame:
    """Per month and group of `dimension` (area, product, industry, district, value_class or
    opened_year) within the filters, and within one product if `product` is given: billing_month
    (date), group_value (str), revenue_yuan, quantity (only at the product grain: units differ
    between products), account_count (accounts billed, revenue > 0), revenue_per_account_yuan
    and revenue_share (of the month's revenue over all groups)."""
    if dimension not in (*DIMENSIONS, COHORT):
        raise ValueError(f"unknown dimension {dimension!r}")
    if dimension == COHORT:
        product = None  # cohorts are whole accounts
    grain = grain_of(dimension, product)
    if reads_summary(filters):
        name = "trends_monthly"
    else:
        name = "trends_monthly_products" if grain == "product" else "trends_monthly_accounts"
    params = {**filters.params(), "dimension": dimension, "grain": grain, "product": product}
    frame = queries.run(con, name, params)
    frame["billing_month"] = pd.to_datetime(frame["billing_month"]).dt.date
    frame["group_value"] = frame["group_value"].astype(str)
    frame["revenue_yuan"] = frame["revenue_yuan"].astype(float)
    frame["account_count"] = frame["account_count"].fillna(0).astype(int)
    frame["quantity"] = frame["quantity"].astype("Float64") if grain == "product" else np.nan
    frame["revenue_per_account_yuan"] = frame["revenue_yuan"] / frame["account_count"].replace(0, np.nan)
    month_total = frame.groupby("billing_month")["revenue_yuan"].transform("sum")
    frame["revenue_share"] = frame["revenue_yuan"] / month_total.replace(0, np.nan)
    return frame[[*MONTHLY_COLUMNS, "revenue_per_account_yuan", "revenue_share"]].reset_index(drop=True)


def partitions_accounts(dimension: str, product: str | None) -> bool:
    """True when every billed account falls in exactly one group of the breakdown, so that its
    account counts add up to the accounts billed (by area or product an account may count in
    several groups; within one product it counts once)."""
    return product is not None or dimension in ("industry", "district", "value_class", COHORT)


@dataclass(frozen=True)
class Headline:
    month: dt.date
    revenue_yuan: float
    year_ago_revenue_yuan: float | None
    revenue_change_yoy: float | None  # fraction
    account_count: int
    top_group: str | None  # the group with the most revenue in the month


def headline(frame: pd.DataFrame, accounts: pd.DataFrame, month: dt.date) -> Headline:
    """The month's figures over all groups of `frame`; billed accounts from `accounts`, a
    monthly frame whose groups partition the accounts (see `partitions_accounts`)."""

    def revenue(m: dt.date) -> float | None:
        rows = frame.loc[frame["billing_month"] == m, "revenue_yuan"]
        return float(rows.sum()) if len(rows) else None

    now = revenue(month) or 0.0
    before = revenue(add_months(month, -12))
    rows = frame[frame["billing_month"] == month]
    top = rows.loc[rows["revenue_yuan"].idxmax(), "group_value"] if len(rows) else None
    return Headline(
        month=month,
        revenue_yuan=now,
        year_ago_revenue_yuan=before,
        revenue_change_yoy=now / before - 1 if before else None,
        account_count=int(accounts.loc[accounts["billing_month"] == month, "account_count"].sum()),
        top_group=top,
    )


def months_of(frame: pd.DataFrame) -> list[dt.date]:
    """The months a monthly frame covers, oldest first."""
    return sorted(frame["billing_month"].unique())


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Per month over all groups: revenue_yuan and quantity (sums)."""
    return frame.groupby("billing_month", as_index=False)[["revenue_yuan", "quantity"]].sum(min_count=1)


def share_change(frame: pd.DataFrame, from_month: dt.date, to_month: dt.date) -> pd.DataFrame:
    """Each group's share of revenue in two months and the change in percentage points:
    group_value, revenue_from_yuan, revenue_to_yuan, share_from, share_to, share_change_points,
    ordered by the change (largest gain first). A group absent in a month has a share of 0."""

    def month(m: dt.date, suffix: str) -> pd.DataFrame:
        part = frame.loc[frame["billing_month"] == m, ["group_value", "revenue_yuan", "revenue_share"]]
        return part.rename(columns={"revenue_yuan": f"revenue_{suffix}_yuan", "revenue_share": f"share_{suffix}"})

    out = month(from_month, "from").merge(month(to_month, "to"), on="group_value", how="outer")
    out = out.fillna({"revenue_from_yuan": 0.0, "revenue_to_yuan": 0.0, "share_from": 0.0, "share_to": 0.0})
    out["share_change_points"] = (out["share_to"] - out["share_from"]) * 100
    return out.sort_values("share_change_points", ascending=False, ignore_index=True)


def year_on_year(frame: pd.DataFrame, month: dt.date, accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each group in `month` against the same month a year before: group_value, revenue_yuan,
    year_ago_revenue_yuan, revenue_change_yoy (fraction; None without revenue a year before),
    account_count, year_ago_account_count, ordered by revenue. A last row `group_value = None`
    holds the total over all groups; its accounts come from `accounts`, a monthly frame whose
    groups partition the accounts (see `partitions_accounts`), and are missing without it."""
    year_ago = add_months(month, -12)
    columns = ["group_value", "revenue_yuan", "account_count"]
    now = frame.loc[frame["billing_month"] == month, columns]
    before = frame.loc[frame["billing_month"] == year_ago, columns].rename(
        columns={"revenue_yuan": "year_ago_revenue_yuan", "account_count": "year_ago_account_count"}
    )
    out = now.merge(before, on="group_value", how="outer")
    zeros = {"revenue_yuan": 0.0, "year_ago_revenue_yuan": 0.0, "account_count": 0, "year_ago_account_count": 0}
    out = out.fillna(zeros)
    out = out.sort_values("revenue_yuan", ascending=False, ignore_index=True)
    total = pd.DataFrame(
        [
            {
                "group_value": None,
                "revenue_yuan": out["revenue_yuan"].sum(),
                "year_ago_revenue_yuan": out["year_ago_revenue_yuan"].sum(),
            }
        ]
    )
    out = pd.concat([out, total], ignore_index=True)
    out["revenue_change_yoy"] = out["revenue_yuan"] / out["year_ago_revenue_yuan"].replace(0, np.nan) - 1
    total_row = out["group_value"].isna()
    if accounts is None:
        out.loc[total_row, ["account_count", "year_ago_account_count"]] = np.nan
    else:
        billed = accounts.groupby("billing_month")["account_count"].sum()
        out.loc[total_row, "account_count"] = billed.get(month, 0)
        out.loc[total_row, "year_ago_account_count"] = billed.get(year_ago, 0)
    return out[
        [
            "group_value",
            "revenue_yuan",
            "year_ago_revenue_yuan",
            "revenue_change_yoy",
            "account_count",
            "year_ago_account_count",
        ]
    ]


def cohorts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accounts grouped by the year they opened, per month: opened_year, billing_month,
    revenue_yuan, account_count (billed), revenue_per_account_yuan and retention — billed
    accounts over the cohort's most billed accounts in any month up to this one (a cohort still
    being opened grows towards 1; one losing accounts falls below it)."""
    frame = monthly(con, filters, COHORT).rename(columns={"group_value": "opened_year"})
    frame = frame.sort_values(["opened_year", "billing_month"], ignore_index=True)
    peak = frame.groupby("opened_year")["account_count"].cummax()
    frame["retention"] = frame["account_count"] / peak.replace(0, np.nan)
    return frame[
        ["opened_year", "billing_month", "revenue_yuan", "account_count", "revenue_per_account_yuan", "retention"]
    ]


def cohort_matrix(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """A cohort frame as opened_year (rows, newest first) × billing_month (columns) of `value`."""
    matrix = frame.pivot(index="opened_year", columns="billing_month", values=value)
    return matrix.sort_index(ascending=False)


def products(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The catalogue for the product picker: product_id, product_name, area."""
    return queries.run(con, "trends_products")
