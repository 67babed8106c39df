"""Named SQL queries (one file each in `sql/queries/`) run with bound parameters."""

from __future__ import annotations

from functools import cache
from typing import Any

import duckdb
import pandas as pd

from analytics import config

QUERY_DIR = config.SQL_DIR / "queries"


@cache
def sql(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The result of query `name` as a DataFrame; values only ever go in as parameters."""
    return con.execute(sql(name), params or {}).df()
