"""Files -> DuckDB staging tables of VARCHAR, one per file, with headers mapped to columns.

Which table a file is for: the `table` argument, else its file name (the table or a contract
alias, optionally followed by `_`, `-` or digits), else its header (the one table all headers
belong to). Nothing is typed or judged here beyond the header: values stay text so that every
check runs later as set-based SQL over all rows at once. Formats are opened in `sources`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics.warehouse.contract import CONTRACTS
from analytics.warehouse.importer.columns import (
    TableSpec,
    file_table,
    header_map,
    normalise_header,
    quote_ident,
)
from analytics.warehouse.importer.encoding import EncodingProblem
from analytics.warehouse.importer.problems import Problem, ProblemLog, reason
from analytics.warehouse.importer.sources import FORMATS, UNREADABLE, open_source


@dataclass(frozen=True)
class StagedFile:
    label: str  # the file as messages name it
    table: str
    staging: str  # temporary table holding the file's cells as VARCHAR
    columns: dict[str, str]  # table column -> staging column
    row_expr: str  # SQL over the staging table giving the data row number (1 = first row)
    rows: int
    # Data rows -> the file lines they start on (None: the format has no lines, as Parquet).
    lines: Callable[[Iterable[int]], dict[int, int]] | None = None


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    staging: str,
    table: str | None,
    spec_of: Callable[[str], TableSpec],
    log: ProblemLog,
) -> tuple[str | None, StagedFile | None]:
    """Load one file into `staging`.

    Returns (the table the file is for, if known; the staged file, or None after logging a
    file-level problem).
    """

    def fail(text: str, column: str | None = None) -> None:
        log.add(Problem(label, None, column, text))

    table = table or file_table(path.stem, tuple(CONTRACTS))
    if not path.is_file():
        fail("文件不存在 / file not found")
        return table, None
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        fail(f"不支持的文件类型 {path.suffix or '(无)'} / unsupported file type; use .csv, .xlsx or .parquet")
        return table, None
    cleanup: list[Path] = []
    try:
        try:
            source = open_source(con, path, kind, table, cleanup)
        except EncodingProblem as e:
            log.add(Problem(label, None, None, str(e), e.line))
            return table, None
        except UNREADABLE as e:
            fail(f"无法读取 / cannot be read: {_first_line(e)}")
            return table, None
        if source is None:
            fail("空文件，没有表头 / empty file, no header row")
            return table, None
        if table is None:
            table = _table_from_header(source.header, spec_of)
            if table is None:
                fail(
                    "无法判断是哪张表：文件名和表头都不对应 / cannot tell which table this is: "
                    f"neither the file name nor the header matches one of {', '.join(CONTRACTS)}"
                )
                return None, None
        columns = _map_header(spec_of(table), source.header, label, log)
        if columns is None:
            return table, None
        if source.types is not None and not _plain_types(spec_of(table), source, columns, label, log):
            return table, None
        try:
            row_expr = source.stage(staging)
        except UNREADABLE as e:
            found = source.explain() if source.explain else None
            if found is None:
                fail(reason("unparseable", detail=_first_line(e)))
            else:
                log.add(Problem(label, found.row, found.column, found.reason, found.line))
            return table, None
    finally:
        for tmp in cleanup:
            tmp.unlink(missing_ok=True)
    rows = con.execute(f"select count(*) from {quote_ident(staging)}").fetchone()[0]
    if rows == 0:
        fail(reason("header_only"))
        return table, None
    return table, StagedFile(label, table, staging, columns, row_expr, rows, source.lines)


def _first_line(error: Exception) -> str:
    """The informative head of an error: what was wrong, without the reader options that follow
    nor the offending line itself (DuckDB quotes it whole, however long), nor DuckDB's line
    number (a record count that skips blank lines, not a file line)."""
    lines = []
    for line in str(error).strip().splitlines():
        if not line.strip() or line.startswith(("Possible fixes", "Possible Solution")):
            break
        line = line.strip().removeprefix("Invalid Input Error: ")
        if line.startswith(("Original Line:", "CSV Error on Line:")):
            continue
        lines.append(line)
    text = "; ".join(lines) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _plain_types(spec: TableSpec, source, columns: dict[str, str], label: str, log: ProblemLog) -> bool:
    """Whether every mapped column of a typed source holds plain values: nested types (structs,
    maps, unions, lists of lists) are refused rather than stored as their text, and a list only
    goes into a list column."""
    ok = True
    for name, staging in columns.items():
        dtype = source.types[int(staging[1:])]
        nested = any(word in dtype for word in ("STRUCT", "MAP(", "UNION", "[][]", "]["))
        is_list = dtype.endswith("]")
        if nested or (is_list and spec.column(name).kind != "enum_list"):
            log.add(Problem(label, None, name, reason("nested_type" if nested else "list_type", type=dtype)))
            ok = False
    return ok


def _table_from_header(header: list[str], spec_of: Callable[[str], TableSpec]) -> str | None:
    """The one table whose columns cover every header, key columns included (the widest such
    table when several do, none when that is still ambiguous)."""
    keys = {normalise_header(h) for h in header} - {""}
    fits = []
    for name, contract in CONTRACTS.items():
        aliases = header_map(spec_of(name))
        if keys and keys <= aliases.keys():
            covered = {aliases[k] for k in keys}
            if set(contract.key) <= covered:
                fits.append((len(covered), name))
    best = max(fits, default=None)
    if best is None or sum(1 for f in fits if f[0] == best[0]) > 1:
        return None
    return best[1]


def _map_header(spec: TableSpec, header: list[str], label: str, log: ProblemLog) -> dict[str, str] | None:
    """Column -> staging column (`c0`, `c1`, …), or None after logging header problems."""
    aliases = header_map(spec)
    columns: dict[str, str] = {}
    given: dict[str, str] = {}
    ok = True
    for i, raw in enumerate(header):
        key = normalise_header(raw)
        if not key:
            continue  # a header-less column (e.g. a trailing delimiter) carries nothing
        column = aliases.get(key)
        if column is None:
            log.add(
                Problem(
                    label,
                    None,
                    str(raw).strip(),
                    f"未知的列 / unknown column for table {spec.name}; "
                    f"known: {', '.join(c.name for c in spec.columns)}",
                )
            )
            ok = False
        elif column in columns:
            log.add(
                Problem(
                    label,
                    None,
                    column,
                    f"列重复 / column given twice: '{given[column]}' and '{raw.strip()}'",
                )
            )
            ok = False
        else:
            columns[column] = f"c{i}"
            given[column] = str(raw).strip()
    for column in spec.columns:
        if not column.nullable and column.name not in columns:
            accepted = ", ".join((column.name, *column.headers))
            log.add(
                Problem(
                    label,
                    None,
                    column.name,
                    f"缺少必填列 / required column missing (accepted headers: {accepted})",
                )
            )
            ok = False
    return columns if ok else None
