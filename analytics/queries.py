"""Named SQL queries (one file each in `sql/queries/`) run with bound parameters."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import duckdb
import pandas as pd

from analytics import config

QUERY_DIR = config.SQL_DIR / "queries"


@cache
def sql(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def parameters(name: str) -> frozenset[str]:
    """The `$name` parameters query `name` uses."""
    code = re.sub(r"--[^\n]*", "", sql(name))  # a `$name` in a comment is not a parameter
    return frozenset(re.findall(r"\$([A-Za-z_]\w*)", code))


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The result of query `name` as a DataFrame; values only ever go in as parameters.

    `params` may hold more than the query uses (a page passes all its filters to each query);
    only the ones the query names are bound. One it names but `params` lacks is an error.
    """
    wanted = parameters(name)
    given = params or {}
    missing = wanted - given.keys()
    if missing:
        raise KeyError(f"query {name}: no value for parameter(s) {sorted(missing)}")
    return con.execute(sql(name), {k: v for k, v in given.items() if k in wanted}).df()
