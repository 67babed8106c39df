"""What the sidebar's filters choose from in this warehouse: districts, industries, classes,
managers, billed months and scored months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.warehouse import queries


@dataclass(frozen=True)
class FilterOptions:
    districts: tuple[str, ...]
    industries: tuple[str, ...]
    classes: tuple[str, ...]
    managers: pd.DataFrame  # manager_id, manager_name, district
    months: tuple[dt.date, ...]  # newest first
    scored_months: tuple[dt.date, ...]  # newest first


def options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """The values each filter can take in this warehouse."""
    values = queries.run(con, "filter_values")
    managers = queries.run(con, "filter_managers")
    months = tuple(pd.Timestamp(m).date() for m in queries.run(con, "filter_months")["billing_month"])
    have_scores = con.execute("select count(*) from duckdb_tables() where table_name = 'scores'").fetchone()[0]
    scored = (
        tuple(pd.Timestamp(m).date() for m in queries.run(con, "filter_scored_months")["as_of_month"])
        if have_scores
        else ()
    )

    def of(kind: str) -> tuple[str, ...]:
        return tuple(values.loc[values["kind"] == kind, "value"].astype(str))

    return FilterOptions(of("district"), of("industry"), of("class"), managers, months, scored)
