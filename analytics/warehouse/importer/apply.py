"""Write validated typed tables to the warehouse in one transaction.

Entity and event tables are upserted by key: warehouse rows whose key is in the import are
deleted, then the imported rows inserted. Monthly tables (`replace_by_month`) are replaced
month by month: every warehouse row of a month present in the import is deleted first, so a
re-import of a month replaces it, and rows of that month missing from the new file disappear.
Tables are written parents first (the order of `db.INPUT_TABLES`).
"""

from __future__ import annotations

import duckdb

from analytics.warehouse import db
from analytics.warehouse.importer.columns import quote_ident
from analytics.warehouse.importer.convert import TypedTable


def apply(con: duckdb.DuckDBPyConnection, typed: dict[str, TypedTable], progress=None) -> dict[str, int]:
    """Replace and insert every table's rows in one transaction; rows written per table.

    On any error the transaction is rolled back and the warehouse is as before.
    """
    written: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        for table in (t for t in db.INPUT_TABLES if t in typed):
            source = typed[table]
            spec = source.spec
            target = spec.ident
            if progress:
                progress(f"写入 / writing {table}")
            month = spec.contract.replace_by_month
            if month:
                m = quote_ident(month)
                con.execute(f"delete from {target} where {m} in (select distinct {m} from {source.ident})")
            else:
                match = " and ".join(f"s.{quote_ident(k)} = {target}.{quote_ident(k)}" for k in spec.contract.key)
                con.execute(f"delete from {target} where exists (select 1 from {source.ident} as s where {match})")
            columns = ", ".join(c.ident for c in spec.columns)
            con.execute(f"insert into {target} ({columns}) select {columns} from {source.ident}")
            written[table] = con.execute(f"select count(*) from {source.ident}").fetchone()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return written
