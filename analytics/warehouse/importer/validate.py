"""Set-based checks over the typed tables; each returns problems with file, row, column, reason.

A check counts all offending rows in one query and fetches only the first `MAX_PROBLEMS` of them,
so a clean ten-million-row file costs a few scans, not a Python loop.
"""

from __future__ import annotations

import duckdb

from analytics.warehouse.importer.columns import quote_ident
from analytics.warehouse.importer.convert import EXPECTED, TypedTable
from analytics.warehouse.importer.problems import MAX_PROBLEMS, Problem, ProblemLog, quote


def check_values(con: duckdb.DuckDBPyConnection, typed: TypedTable, log: ProblemLog) -> None:
    """Blank required cells and cells that are not of the column's type."""
    columns = typed.spec.columns
    counts = ", ".join(f"count(*) filter (where _flags & {1 << k} <> 0)" for k in range(2 * len(columns)))
    totals = con.execute(f"select {counts} from {typed.ident} where _flags <> 0").fetchone()
    if not any(totals):
        return
    found: dict[int, list[Problem]] = {k: [] for k in range(len(totals))}
    rows = con.execute(
        f"select _file, _row, _flags, _raw from {typed.ident} where _flags <> 0 "
        f"order by _file, _row limit {MAX_PROBLEMS}"
    ).fetchall()
    for file_index, row, flags, raw in rows:
        label = typed.files[file_index].label
        for k in range(len(totals)):
            if not flags & (1 << k):
                continue
            column = columns[k // 2]
            if k % 2 == 0:
                reason = "必填项为空 / required value is blank"
            else:
                zh, en = EXPECTED[column.kind]
                reason = f"{quote(raw[k // 2])} {zh} / {en}"
                if column.labels:
                    reason += "; 允许 allowed: " + ", ".join(_allowed(column))
            found[k].append(Problem(label, row, column.name, reason))
    for k, total in enumerate(totals):
        if total:
            log.add_found(found[k], total)


def _allowed(column) -> list[str]:
    aliases = [f"{alias}={label}" for alias, label in column.value_aliases]
    return list(column.labels) + aliases


def check_constraints(con: duckdb.DuckDBPyConnection, typed: TypedTable, log: ProblemLog) -> None:
    """The DDL's CHECK constraints (non-negative amounts, date order, months), row by row."""
    checks = typed.spec.checks
    if not checks:
        return
    counts = ", ".join(f"count(*) filter (where not ({c.expression}))" for c in checks)
    totals = con.execute(f"select {counts} from {typed.ident}").fetchone()
    for check, total in zip(checks, totals, strict=True):
        if not total:
            continue
        other = f"{quote_ident(check.other)}::varchar" if check.other else "null"
        rows = con.execute(
            f"select _file, _row, {quote_ident(check.column)}::varchar, {other} "
            f"from {typed.ident} where not ({check.expression}) "
            f"order by _file, _row limit {MAX_PROBLEMS}"
        ).fetchall()
        found = []
        for file_index, row, value, other_value in rows:
            if check.other:
                reason = (
                    f"{quote(value)} {check.reason_zh} {quote(other_value)} / {check.reason_en} {quote(other_value)}"
                )
            else:
                reason = f"{quote(value)} {check.reason_zh} / {check.reason_en}"
            found.append(Problem(typed.files[file_index].label, row, check.column, reason))
        log.add_found(found, total)


def check_duplicate_keys(con: duckdb.DuckDBPyConnection, typed: TypedTable, log: ProblemLog) -> None:
    """Rows whose key an earlier row of the same import (any file) already has."""
    key = typed.spec.contract.key
    keys = ", ".join(quote_ident(k) for k in key)
    not_null = " and ".join(f"{quote_ident(k)} is not null" for k in key)
    first = "min({'f': _file, 'r': _row})"
    total = con.execute(
        f"select coalesce(sum(n - 1), 0) from (select count(*) as n from {typed.ident} "
        f"where {not_null} group by {keys} having count(*) > 1)"
    ).fetchone()[0]
    if not total:
        return
    rows = con.execute(
        f"""
        with repeated as (
            select {keys}, {first} as first from {typed.ident}
            where {not_null} group by {keys} having count(*) > 1
        )
        select t._file, t._row, d.first.f, d.first.r,
            concat_ws(', ', {", ".join(f"t.{quote_ident(k)}::varchar" for k in key)})
        from {typed.ident} as t join repeated as d using ({keys})
        where (t._file, t._row) <> (d.first.f, d.first.r)
        order by t._file, t._row limit {MAX_PROBLEMS}
        """
    ).fetchall()
    found = []
    for file_index, row, first_file, first_row, value in rows:
        where = f"第 {first_row} 行 (row {first_row})"
        if first_file != file_index:
            where = f"{typed.files[first_file].label} {where}"
        found.append(
            Problem(
                typed.files[file_index].label,
                row,
                key[0],
                f"重复的键 / duplicate key ({', '.join(key)}) = {quote(value)}, 同 same as {where}",
            )
        )
    log.add_found(found, int(total))


def check_references(
    con: duckdb.DuckDBPyConnection,
    typed: TypedTable,
    imported: dict[str, TypedTable],
    incomplete: set[str],
    log: ProblemLog,
) -> None:
    """Reference columns must name a row of the warehouse or of the same import.

    References into a table some of whose files could not be read are not checked: with
    part of the parents missing, every child would look orphaned.
    """
    for column, (parent, parent_column) in typed.spec.contract.references.items():
        if parent in incomplete:
            continue
        col = quote_ident(column)
        parents = f"select {quote_ident(parent_column)} as k from {quote_ident(parent)}"
        if parent in imported:
            parents += f" union all select {quote_ident(parent_column)} from {imported[parent].ident}"
        where = f"t.{col} is not null and not exists (select 1 from ({parents}) as p where p.k = t.{col})"
        total = con.execute(f"select count(*) from {typed.ident} as t where {where}").fetchone()[0]
        if not total:
            continue
        rows = con.execute(
            f"select _file, _row, t.{col} from {typed.ident} as t where {where} "
            f"order by _file, _row limit {MAX_PROBLEMS}"
        ).fetchall()
        found = [
            Problem(
                typed.files[f].label,
                row,
                column,
                f"{quote(value)} 在 {parent} 中不存在 / not found in {parent} "
                f"(neither in the warehouse nor in this import)",
            )
            for f, row, value in rows
        ]
        log.add_found(found, total)


def validate(
    con: duckdb.DuckDBPyConnection,
    typed: dict[str, TypedTable],
    incomplete: set[str],
    log: ProblemLog,
) -> None:
    """Run every check on every typed table of the import."""
    for table in typed.values():
        check_values(con, table, log)
        check_constraints(con, table, log)
        check_duplicate_keys(con, table, log)
        check_references(con, table, typed, incomplete, log)
