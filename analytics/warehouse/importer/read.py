"""Files -> DuckDB staging tables of VARCHAR, one per file, with headers mapped to columns.

Which table a file is for: the `table` argument, else its file name (the table or a contract
alias, optionally followed by `_`, `-` or digits), else its header (the one table all headers
belong to; failing that, the one table most of them belong to, its key included). Headers are
those of the contract, then those mapped by hand for files of the same shape before
(`mappings`), then those mapped by hand for this import. A last row whose first cell reads
合计 or 总计 (a totals row) is dropped and reported as dropped. Nothing is typed or judged here
beyond the header: values stay text so that every check runs later as set-based SQL over all
rows at once. Formats are opened in `sources`. What was found is kept in a `FileReport`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from analytics.warehouse.importer.mappings import Saved, shape_of
from analytics.warehouse.importer.problems import Problem, ProblemLog, quote, reason
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


# A totals row: its first non-blank cell starts with 合计 or 总计 (spaces, full-width ones too, allowed).
TOTALS = re.compile(r"^[\s\u3000]*(合[\s\u3000]*计|总[\s\u3000]*计)")


@dataclass
class FileReport:
    """What reading one file found, for the import page and messages."""

    label: str
    table: str | None = None
    header_line: int | None = None  # the file line (Excel row) of the header; > 1 below title rows
    shape: str | None = None  # `mappings.shape_of` its headers
    # source header (as the file heads it) -> (column or None when unknown, how: contract | saved | hand)
    mapping: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # rows left out, in words
    rows: int = 0

    @property
    def unknown(self) -> list[str]:
        return [header for header, (column, _) in self.mapping.items() if column is None]


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    staging: str,
    table: str | None,
    spec_of: Callable[[str], TableSpec],
    log: ProblemLog,
    *,
    known: frozenset[str] | None = None,
    saved: Saved | None = None,
    hand: dict[str, str] | None = None,
    report: FileReport | None = None,
) -> tuple[str | None, StagedFile | None]:
    """Load one file into `staging`. `known`: every table's normalised headers (to find the
    header below title rows); `saved`: the kept hand mappings; `hand`: this import's own (source
    header -> column); `report` is filled with what was found.

    Returns (the table the file is for, if known; the staged file, or None after logging a
    file-level problem).
    """
    report = report if report is not None else FileReport(label)

    def fail(text: str, column: str | None = None) -> None:
        log.add(Problem(label, None, column, text))

    table = table or file_table(path.stem, tuple(CONTRACTS))
    report.table = table
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
            source = open_source(con, path, kind, table, cleanup, known)
        except EncodingProblem as e:
            log.add(Problem(label, None, None, str(e), e.line))
            return table, None
        except UNREADABLE as e:
            fail(f"无法读取 / cannot be read: {_first_line(e)}")
            return table, None
        if source is None:
            fail("空文件，没有表头 / empty file, no header row")
            return table, None
        report.header_line = source.header_line
        report.shape = shape_of(source.header)
        kept = (saved or {}).get(report.shape, {})
        if table is None:
            table = _table_from_header(source.header, spec_of, kept, hand or {})
            report.table = table
            if table is None:
                report.mapping = {h.strip(): (None, "") for h in source.header if normalise_header(h)}
                fail(
                    "无法判断是哪张表：文件名和表头都不对应 / cannot tell which table this is: "
                    f"neither the file name nor the header matches one of {', '.join(CONTRACTS)}"
                )
                return None, None
        columns = _map_header(spec_of(table), source.header, label, log, kept.get(table, {}), hand or {}, report)
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
    _drop_totals(con, staging, row_expr, len(source.header), source, kind, report)
    rows = con.execute(f"select count(*) from {quote_ident(staging)}").fetchall()[0][0]
    report.rows = rows
    if rows == 0:
        fail(reason("header_only"))
        return table, None
    return table, StagedFile(label, table, staging, columns, row_expr, rows, source.lines)


def _drop_totals(con, staging: str, row_expr: str, width: int, source, kind: str, report: FileReport) -> None:
    """Drop the last row when it is a totals row (合计 / 总计 in its first non-blank cell)."""
    if not width:
        return
    cells = ", ".join(f"c{i}" for i in range(width))
    last = con.execute(
        f"select {row_expr} as _n, [{cells}] from {quote_ident(staging)} order by _n desc limit 1"
    ).fetchall()  # whole: an unfinished result would block the next file's registration
    if not last:
        return
    row, values = last[0]
    first = next((v for v in values if v is not None and v.strip(" \t\u3000")), None)
    if first is None or not TOTALS.match(first):
        return
    con.execute(f"delete from {quote_ident(staging)} where {row_expr} = ?", [row])
    # Excel rows are known at once; a CSV's line would mean reading the whole file again.
    line = source.lines([row]).get(row) if kind == "xlsx" and source.lines else None
    zh, en = (f"第 {line} 行", f"row {line}") if line else (f"第 {row} 个数据行", f"data row {row}")
    shown = quote(first)
    report.dropped.append(f"{zh}：合计行 {shown}，未导入 / {en}: a totals row ({shown}), left out of the import")


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


def _table_from_header(
    header: list[str],
    spec_of: Callable[[str], TableSpec],
    kept: dict[str, dict[str, str]] | None = None,
    hand: dict[str, str] | None = None,
) -> str | None:
    """The one table whose columns cover every header, key columns included (the widest such
    table when several do, none when that is still ambiguous); with the headers mapped by hand
    before for this shape (`kept`, per table) or now (`hand`). Failing that, the one table that
    most headers belong to, at least half of them (its unknown headers, and key columns it then
    lacks, are reported as such: the import page offers to map them)."""
    keys = {normalise_header(h) for h in header} - {""}
    hand_keys = {normalise_header(h): c for h, c in (hand or {}).items() if c}
    fits, partial = [], []
    for name, contract in CONTRACTS.items():
        aliases = {**header_map(spec_of(name)), **(kept or {}).get(name, {})}
        if hand_keys and all(c in {col.name for col in spec_of(name).columns} for c in hand_keys.values()):
            aliases.update(hand_keys)
        found = keys & aliases.keys()
        covered = {aliases[k] for k in found}
        if keys and found == keys and set(contract.key) <= covered:
            fits.append((len(covered), name))
        elif 2 * len(found) >= len(keys) > 0:
            partial.append((len(found), name))
    for candidates in (fits, partial):
        best = max(candidates, default=None)
        if best is not None:
            return best[1] if sum(1 for f in candidates if f[0] == best[0]) == 1 else None
    return None


def _map_header(
    spec: TableSpec,
    header: list[str],
    label: str,
    log: ProblemLog,
    kept: dict[str, str] | None = None,
    hand: dict[str, str] | None = None,
    report: FileReport | None = None,
) -> dict[str, str] | None:
    """Column -> staging column (`c0`, `c1`, …), or None after logging header problems. `kept`:
    headers (normalised) mapped by hand for this shape before; `hand`: mapped now (as headed)."""
    aliases = header_map(spec)
    names = {c.name for c in spec.columns}
    kept = {k: c for k, c in (kept or {}).items() if c in names}
    now = {normalise_header(h): c for h, c in (hand or {}).items() if c in names}
    columns: dict[str, str] = {}
    given: dict[str, str] = {}
    ok = True
    for i, raw in enumerate(header):
        key = normalise_header(raw)
        if not key:
            continue  # a header-less column (e.g. a trailing delimiter) carries nothing
        column, how = aliases.get(key), "contract"
        if column is None and key in now:
            column, how = now[key], "hand"
        elif column is None and key in kept:
            column, how = kept[key], "saved"
        if report is not None:
            report.mapping[str(raw).strip()] = (column, how if column else "")
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
