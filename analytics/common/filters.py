"""The sidebar's filters, shared by every page, and the lists they choose from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.warehouse import queries


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. An empty tuple means "all".

    `scope_managers` is not a filter the user picks: it is the signed-in user's reach (None =
    unrestricted). Every page query passes all of these to the `scoped_accounts` macro.
    """

    month: dt.date
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    scope_managers: tuple[str, ...] | None = None

    def params(self) -> dict[str, object]:
        """Bound parameters for a query that calls `scoped_accounts(...)`."""
        return {
            "districts": list(self.districts),
            "industries": list(self.industries),
            "classes": list(self.classes),
            "managers": list(self.managers),
            "scope_managers": None if self.scope_managers is None else list(self.scope_managers),
            "month": self.month,
        }


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
    have_scores = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'scores'"
    ).fetchone()[0]
    scored = (
        tuple(pd.Timestamp(m).date() for m in queries.run(con, "filter_scored_months")["as_of_month"])
        if have_scores
        else ()
    )

    def of(kind: str) -> tuple[str, ...]:
        return tuple(values.loc[values["kind"] == kind, "value"].astype(str))

    return FilterOptions(of("district"), of("industry"), of("class"), managers, months, scored)
