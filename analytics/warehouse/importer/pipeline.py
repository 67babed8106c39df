"""`import_files`: read every file, check everything, then write everything or nothing; and
`check_files`: the same reading and checks, nothing written, with what an import would change
(`ImportPlan`: per file its table, header row, header mapping and dropped rows; per table and
month the rows added and replaced; the problems) — what the import page shows before applying."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.warehouse import db
from analytics.warehouse.contract import CONTRACTS
from analytics.warehouse.importer import mappings
from analytics.warehouse.importer.apply import apply
from analytics.warehouse.importer.columns import TableSpec, enum_type_names, header_map, quote_ident, table_spec
from analytics.warehouse.importer.convert import TypedTable, build_typed
from analytics.warehouse.importer.problems import BadInputError, Problem, ProblemLog
from analytics.warehouse.importer.read import FileReport, StagedFile, stage_file
from analytics.warehouse.importer.validate import Bounds, change_rows, validate

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Change:
    """What an import does to one table (and month, for monthly tables): rows it adds (keys or
    months the warehouse lacks), rows of the warehouse it replaces, and the rows it writes."""

    table: str
    month: str | None  # YYYY-MM for monthly tables
    before: int  # warehouse rows replaced (a month: all its rows)
    added: int
    after: int  # rows the import writes here


@dataclass
class ImportPlan:
    files: list[FileReport] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    error: BadInputError | None = None  # None: the files can be imported as they are
    written: dict[str, int] = field(default_factory=dict)  # rows written per table, once applied

    @property
    def rows(self) -> dict[str, int]:
        """Rows the import writes per table."""
        rows: dict[str, int] = {}
        for change in self.changes:
            rows[change.table] = rows.get(change.table, 0) + change.after
        return rows


def import_files(
    con: duckdb.DuckDBPyConnection,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    table: str | None = None,
    progress: Progress | None = None,
    *,
    allow_shrink: bool = False,
    today: dt.date | None = None,
    max_shrink: float | None = None,
    labels: Sequence[str] | None = None,
    tables: dict[str, str] | None = None,
    hand: dict[str, dict[str, str]] | None = None,
) -> dict[str, int]:
    """Import CSV / XLSX / Parquet files into the warehouse as one all-or-nothing change.

    `table` names the target of every file; otherwise each file's name, or failing that its
    header, says which table it holds. Returns the rows imported per table. Raises
    `BadInputError` listing file, line, column and reason when anything is wrong, in which case
    nothing was written. `allow_shrink` confirms months that shrink by more than `max_shrink`
    (default: the contract's `MAX_MONTH_SHRINK`) of their rows (`BadInputError.shrinking` lists
    them); `today` is what plausible dates are measured from (default: the current date).
    `labels`: the files as messages name them (default: their paths); `tables` and `hand`, by
    label: a file's table and headers mapped by hand (source header -> column), as the import
    page gives them. Headers mapped by hand before for files of the same shape are used too.
    """
    plan = _run(con, paths, table, progress, allow_shrink, today, max_shrink, labels, tables, hand, write=True)
    if plan.error is not None:
        raise plan.error
    return plan.written


def check_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | os.PathLike[str]],
    progress: Progress | None = None,
    *,
    allow_shrink: bool = False,
    today: dt.date | None = None,
    max_shrink: float | None = None,
    labels: Sequence[str] | None = None,
    tables: dict[str, str] | None = None,
    hand: dict[str, dict[str, str]] | None = None,
) -> ImportPlan:
    """Read and check the files as `import_files` does, writing nothing: the plan (its `error`
    holds the problems, if any; `changes` what applying would change)."""
    return _run(con, paths, None, progress, allow_shrink, today, max_shrink, labels, tables, hand, write=False)


def _run(con, paths, table, progress, allow_shrink, today, max_shrink, labels, tables, hand, *, write: bool):
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    say = progress or (lambda _message: None)
    plan = ImportPlan()
    if table is not None and table not in CONTRACTS:
        raise BadInputError(
            [
                Problem(
                    "",
                    None,
                    None,
                    f"不能导入表 {table!r} / table {table!r} cannot be imported; importable: {', '.join(CONTRACTS)}",
                )
            ]
        )
    specs: dict[str, TableSpec] = {}
    enum_names = enum_type_names(con)

    def spec_of(name: str) -> TableSpec:
        if name not in specs:
            specs[name] = table_spec(con, name, enum_names)
        return specs[name]

    prefix = f"_import_{uuid.uuid4().hex[:8]}"
    temporary: list[str] = []
    log = ProblemLog()
    labels = [str(p) for p in paths] if labels is None else [str(label) for label in labels]
    saved = mappings.load(con)
    known = frozenset().union(*(header_map(spec_of(name)).keys() for name in CONTRACTS)) | frozenset(
        header for by_table in saved.values() for kept in by_table.values() for header in kept
    )
    try:
        staged: list[StagedFile] = []
        incomplete: set[str] = set()
        for n, (path, label) in enumerate(zip(paths, labels, strict=True)):
            say(f"读取 / reading {label}")
            name = f"{prefix}_file_{n}"
            temporary.append(name)
            report = FileReport(label)
            plan.files.append(report)
            chosen = table or (tables or {}).get(label)
            target, result = stage_file(
                con,
                Path(path),
                label,
                name,
                chosen,
                spec_of,
                log,
                known=known | frozenset((hand or {}).get(label, {})),
                saved=saved,
                hand=(hand or {}).get(label),
                report=report,
            )
            if result is None:
                if target:
                    incomplete.add(target)
                continue
            staged.append(result)
            say(f"  → {result.table}: {result.rows:,} 行 rows")
            for note in report.dropped:
                say(f"  {note}")

        typed: dict[str, TypedTable] = {}
        for name in db.INPUT_TABLES:
            files = [s for s in staged if s.table == name]
            if not files:
                continue
            say(f"校验 / checking {name}")
            typed_name = f"{prefix}_{name}"
            temporary.append(typed_name)
            typed[name] = build_typed(con, spec_of(name), files, typed_name)
            for staged_file in files:  # the typed table keeps what messages need
                con.execute(f"drop table temp.{quote_ident(staged_file.staging)}")
        first_month = con.execute("select min(billing_month) from billing_monthly").fetchone()[0]
        bounds = Bounds(today or dt.date.today(), first_month)
        validate(con, typed, incomplete, log, bounds, allow_shrink, max_shrink)
        plan.changes = [Change(*row) for t in typed.values() for row in change_rows(con, t)]
        if log:
            for staged_file in staged:  # file lines of the rows named, read only now
                rows = log.rows_of(staged_file.label)
                if rows and staged_file.lines:
                    log.set_lines(staged_file.label, staged_file.lines(rows))
            plan.error = log.error({label: i for i, label in enumerate(labels)})
            return plan
        if write:
            plan.written = apply(con, typed, say)
            say("完成 / done: " + ", ".join(f"{t} {n:,}" for t, n in plan.written.items()))
        return plan
    finally:
        for name in reversed(temporary):
            con.execute(f"drop table if exists temp.{quote_ident(name)}")
