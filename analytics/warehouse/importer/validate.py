"""Set-based checks over the typed tables; each returns problems with file, row, column, reason.

A check counts all offending rows in one query and fetches only the first `MAX_PROBLEMS` of them,
so a clean ten-million-row file costs a few scans, not a Python loop.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from analytics.warehouse import contract
from analytics.warehouse.importer.columns import Column, quote_ident
from analytics.warehouse.importer.convert import CONTROL, CONTROL_FREE_TEXT, EXPECTED, FLAGS, TypedTable
from analytics.warehouse.importer.problems import MAX_PROBLEMS, MonthShrink, Problem, ProblemLog, quote, reason


def check_values(con: duckdb.DuckDBPyConnection, typed: TypedTable, log: ProblemLog) -> None:
    """Blank required cells and cells that are not of the column's type."""
    columns = typed.spec.columns
    counts = ", ".join(f"count(*) filter (where _flags & {1 << k} <> 0)" for k in range(FLAGS * len(columns)))
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
            column = columns[k // FLAGS]
            found[k].append(
                Problem(
                    label, row, column.name, _value_reason(column, k % FLAGS, raw[k // FLAGS]), value=raw[k // FLAGS]
                )
            )
    for k, total in enumerate(totals):
        if total:
            log.add_found(found[k], total)


def _value_reason(column: Column, flag: int, raw: str | None) -> str:
    """Why a cell was flagged (`flag`: the bit within the column's `FLAGS`)."""
    if flag == 0:
        return "必填项为空 / required value is blank"
    if flag == 2:
        return reason("too_many_decimals", value=quote(raw), scale=column.scale)
    if flag == 3:
        pattern = CONTROL_FREE_TEXT if column.free_text else CONTROL
        found = re.search(pattern.replace("\\x{fffe}", "\\ufffe").replace("\\x{ffff}", "\\uffff"), raw or "")
        code = f"U+{ord(found.group()):04X}" if found else "?"
        position = found.start() + 1 if found else 0
        return reason("control_character", value=quote(raw), code=code, position=position)
    zh, en = EXPECTED[column.kind]
    text = f"{quote(raw)} {zh} / {en}"
    if column.labels:
        text += "; 允许 allowed: " + ", ".join(_allowed(column))
    return text


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
            found.append(Problem(typed.files[file_index].label, row, check.column, reason, value=value))
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
                value=value,
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
                value=value,
            )
            for f, row, value in rows
        ]
        log.add_found(found, total)


@dataclass(frozen=True)
class Bounds:
    """What plausible dates are relative to: today and the warehouse's first billing month."""

    today: dt.date
    first_month: dt.date | None  # None: the warehouse holds no billing month yet

    def date_range(self, column: Column) -> tuple[dt.date, dt.date]:
        """[earliest, end) of the column's plausible dates (contract's margins)."""
        years = contract.MONTH_YEARS_BEFORE_DATA if column.kind == "month" else contract.YEARS_BEFORE_DATA
        earliest = contract.earliest_month(self.first_month, self.today, years)
        ahead = contract.MONTHS_AHEAD + 12 * (column.future_years or 0)
        return earliest, contract.month_after(self.today, ahead)


def check_plausible(con: duckdb.DuckDBPyConnection, typed: TypedTable, bounds: Bounds, log: ProblemLog) -> None:
    """Dates within the data's span plus the contract's margins; numbers under their ceilings.

    One scan counts every column's offenders; only columns that have some are read again."""
    checks = []  # (column, where, SQL of (value, flag), its parameters, describe(value, flag))
    first = contract.earliest_month(bounds.first_month, bounds.today, 0)
    for i, column in enumerate(typed.spec.columns):
        col = column.ident
        shown = f"strftime({col}, '%Y-%m')" if column.kind == "month" else f"{col}::varchar"
        if column.kind in ("date", "month", "timestamp"):
            earliest, end = bounds.date_range(column)
            cast = "timestamp" if column.kind == "timestamp" else "date"
            params = {f"earliest_{i}": earliest, f"end_{i}": end}
            too_early = f"{col} < $earliest_{i}::{cast}"

            def describe(value, is_early, earliest=earliest, end=end):
                if is_early:
                    return reason(
                        "date_too_early",
                        value=quote(value),
                        earliest=earliest.isoformat(),
                        years=first.year - earliest.year,
                        first=first.strftime("%Y-%m"),
                    )
                latest = end - dt.timedelta(days=1)
                return reason("date_too_late", value=quote(value), latest=latest.isoformat())

            where = f"({too_early} or {col} >= $end_{i}::{cast})"
            checks.append((column, where, f"{shown}, {too_early}", params, describe))
        elif column.ceiling is not None and column.kind in ("integer", "number"):

            def describe(value, _flag, ceiling=column.ceiling):
                return reason("above_ceiling", value=quote(value), ceiling=f"{ceiling:,}")

            checks.append(
                (column, f"{col} > $ceiling_{i}", f"{shown}, false", {f"ceiling_{i}": column.ceiling}, describe)
            )
    if not checks:
        return
    counts = ", ".join(f"count(*) filter (where {where})" for _, where, *_ in checks)
    every = {name: value for *_, params, _ in checks for name, value in params.items()}
    totals = con.execute(f"select {counts} from {typed.ident}", every).fetchone()
    for (column, where, values, params, describe), total in zip(checks, totals, strict=True):
        if not total:
            continue
        rows = con.execute(
            f"select _file, _row, {values} from {typed.ident} where {where} order by _file, _row limit {MAX_PROBLEMS}",
            params,
        ).fetchall()
        found = [
            Problem(typed.files[f].label, row, column.name, describe(value, flag), value=value)
            for f, row, value, flag in rows
        ]
        log.add_found(found, total)


def month_changes(con: duckdb.DuckDBPyConnection, typed: TypedTable) -> list[tuple[str, int, int, int]]:
    """Per month of a monthly table present in the warehouse: (YYYY-MM, rows in the warehouse,
    rows in the import, the first file holding it). Empty for other tables."""
    month = typed.spec.contract.replace_by_month
    if not month:
        return []
    m = quote_ident(month)
    return con.execute(
        f"""
        with imported as (
            select {m}, count(*) as after, min(_file) as first_file from {typed.ident} group by {m}
        ),
        stored as (
            select {m}, count(*) as before from {typed.spec.ident}
            where {m} in (select {m} from imported) group by {m}
        )
        select strftime({m}, '%Y-%m'), before, after, first_file
        from imported join stored using ({m}) order by {m}
        """
    ).fetchall()


def change_rows(con: duckdb.DuckDBPyConnection, typed: TypedTable) -> list[tuple[str, str | None, int, int, int]]:
    """What writing `typed` changes: (table, month or None, warehouse rows replaced, rows added,
    rows written) — per month for monthly tables (a month new to the warehouse adds all its rows,
    one it holds has them all replaced), else one line (rows whose key the warehouse holds are
    replaced, the others added)."""
    table = typed.spec.name
    month = typed.spec.contract.replace_by_month
    if month:
        m = quote_ident(month)
        rows = con.execute(
            f"""
            with imported as (select {m}, count(*) as after from {typed.ident} group by {m}),
            stored as (
                select {m}, count(*) as before from {typed.spec.ident}
                where {m} in (select {m} from imported) group by {m}
            )
            select strftime({m}, '%Y-%m'), coalesce(before, 0), after
            from imported left join stored using ({m}) order by {m}
            """
        ).fetchall()
        return [(table, name, before, 0 if before else after, after) for name, before, after in rows]
    match = " and ".join(f"w.{quote_ident(k)} = t.{quote_ident(k)}" for k in typed.spec.contract.key)
    after, replaced = con.execute(
        f"select count(*), count(*) filter (where exists (select 1 from {typed.spec.ident} as w where {match})) "
        f"from {typed.ident} as t"
    ).fetchone()
    return [(table, None, replaced, after - replaced, after)]


def check_shrinking(
    con: duckdb.DuckDBPyConnection, typed: TypedTable, log: ProblemLog, max_shrink: float | None = None
) -> None:
    """A month that the import would shrink by more than `max_shrink` (default
    `contract.MAX_MONTH_SHRINK`) of its rows."""
    limit = contract.MAX_MONTH_SHRINK if max_shrink is None else max_shrink
    month = typed.spec.contract.replace_by_month
    for name, before, after, first_file in month_changes(con, typed):
        if after >= before * (1 - limit):
            continue
        log.shrinking.append(MonthShrink(typed.spec.name, name, before, after))
        text = reason(
            "month_shrinks",
            table=typed.spec.name,
            month=name,
            before=f"{before:,}",
            after=f"{after:,}",
            share=f"{(before - after) / before:.0%}",
            limit=f"{limit:.0%}",
        )
        log.add(Problem(typed.files[first_file].label, None, month, text))


def validate(
    con: duckdb.DuckDBPyConnection,
    typed: dict[str, TypedTable],
    incomplete: set[str],
    log: ProblemLog,
    bounds: Bounds,
    allow_shrink: bool = False,
    max_shrink: float | None = None,
) -> None:
    """Run every check on every typed table of the import."""
    for table in typed.values():
        check_values(con, table, log)
        check_constraints(con, table, log)
        check_plausible(con, table, bounds, log)
        check_duplicate_keys(con, table, log)
        check_references(con, table, typed, incomplete, log)
        if not allow_shrink:
            check_shrinking(con, table, log, max_shrink)
