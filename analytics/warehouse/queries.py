"""Named SQL queries (one file each in `sql/queries/`) run with bound parameters."""

from __future__ import annotations

import re
import time
from functools import cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import config
from analytics.common import logs

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
    bound = {k: v for k, v in given.items() if k in wanted}
    # Through Arrow rather than `.df()` (see `to_pandas`), on a cursor of its own: `sql()`
    # refuses a connection with a result still unread, and DuckDB warns that Arrow from
    # `execute()` copies the rows once more.
    t0 = time.perf_counter()
    with con.cursor() as cur:
        frame = to_pandas(cur.sql(sql(name), params=bound).to_arrow_table())
    seconds = time.perf_counter() - t0
    if seconds > logs.SLOW_QUERY_SECONDS:
        shown = {k: (v if len(repr(v)) <= 80 else f"{repr(v)[:77]}...") for k, v in bound.items()}
        logs.logger("queries").warning("slow query %s: %.2f s, %d rows, params %s", name, seconds, len(frame), shown)
    return frame


_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """A DataFrame of an Arrow result with the dtypes DuckDB's `.df()` gives.

    Through Arrow, text stays Arrow strings, which pandas' string columns are anyway; `.df()`
    makes a Python object of every text cell first (a 600,000-row compliance result: 1.1 s
    against 0.5 s). As in `.df()`: decimals (DuckDB's HUGEINT sums, DECIMAL) become floats,
    dates datetime64[us], and integer or boolean columns with a NULL pandas' nullable types.
    """
    fields = []
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            fields.append(field.with_type(pa.float64()))
        elif pa.types.is_date(field.type):
            fields.append(field.with_type(pa.timestamp("us")))
        else:
            fields.append(field)
    table = table.cast(pa.schema(fields))
    frame = table.to_pandas(types_mapper=_NULLABLE.get)
    for i, (field, column) in enumerate(zip(table.schema, table.columns, strict=True)):
        if field.type in _NULLABLE and column.null_count == 0:
            frame.isetitem(i, frame.iloc[:, i].to_numpy(dtype=field.type.to_pandas_dtype()))
    return frame
