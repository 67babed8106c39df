"""Headers mapped by hand, kept for next month's exports of the same shape (`import_mappings`).

A file's shape is the set of its normalised headers (order and spelling of spaces or full-width
forms aside); a mapping is kept per shape and table: source header (normalised) -> contract
column. The importer reads them at every import (browser and `needsmine import`): a file of a
known shape has its unknown headers mapped as they were, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

import duckdb

from analytics import config
from analytics.warehouse import db
from analytics.warehouse.importer.columns import normalise_header

TABLE = "import_mappings"
_DDL = config.SQL_DIR / "app" / f"{TABLE}.sql"

# shape -> table -> normalised source header -> column
Saved = dict[str, dict[str, dict[str, str]]]


def shape_of(header: Iterable[object]) -> str:
    """The key of a file's header set: MD5 of its normalised non-blank headers, sorted."""
    keys = sorted({normalise_header("" if h is None else h) for h in header} - {""})
    return hashlib.md5("\n".join(keys).encode("utf-8")).hexdigest()


def load(con: duckdb.DuckDBPyConnection) -> Saved:
    """Every kept mapping (none in a warehouse made before they existed)."""
    if TABLE not in db.existing_tables(con):
        return {}
    saved: Saved = {}
    rows = con.cursor().execute(f"select shape, table_name, source_header, column_name from {TABLE}").fetchall()
    for shape, table, header, column in rows:
        saved.setdefault(shape, {}).setdefault(table, {})[header] = column
    return saved


def save(con: duckdb.DuckDBPyConnection, shape: str, table: str, mapping: dict[str, str], saved_by: str) -> int:
    """Keep `mapping` (source header as the file has it -> column) for files of `shape` going
    into `table`, replacing what was kept for it before, in one transaction; rows kept."""
    cur = con.cursor()
    cur.execute(_DDL.read_text(encoding="utf-8"))  # a warehouse the app has not opened yet lacks it
    now = dt.datetime.now().replace(microsecond=0)
    cur.execute("begin transaction")
    try:
        cur.execute(f"delete from {TABLE} where shape = ? and table_name = ?", [shape, table])
        for header, column in mapping.items():
            key = normalise_header(header)
            if key and column:
                cur.execute(
                    f"insert or replace into {TABLE} values (?, ?, ?, ?, ?, ?)",
                    [shape, table, key, column, saved_by, now],
                )
        cur.execute("commit")
    except BaseException:
        cur.execute("rollback")
        raise
    return sum(1 for h, c in mapping.items() if normalise_header(h) and c)
