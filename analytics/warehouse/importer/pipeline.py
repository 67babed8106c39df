"""`import_files`: read every file, check everything, then write everything or nothing."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from analytics.warehouse import db
from analytics.warehouse.contract import CONTRACTS
from analytics.warehouse.importer.apply import apply
from analytics.warehouse.importer.columns import TableSpec, enum_type_names, quote_ident, table_spec
from analytics.warehouse.importer.convert import TypedTable, build_typed
from analytics.warehouse.importer.problems import BadInputError, Problem, ProblemLog
from analytics.warehouse.importer.read import StagedFile, stage_file
from analytics.warehouse.importer.validate import Bounds, validate

Progress = Callable[[str], None]


def import_files(
    con: duckdb.DuckDBPyConnection,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    table: str | None = None,
    progress: Progress | None = None,
    *,
    allow_shrink: bool = False,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Import CSV / XLSX / Parquet files into the warehouse as one all-or-nothing change.

    `table` names the target of every file; otherwise each file's name, or failing that its
    header, says which table it holds. Returns the rows imported per table. Raises
    `BadInputError` listing file, line, column and reason when anything is wrong, in which case
    nothing was written. `allow_shrink` confirms months that shrink by more than the contract
    allows (`BadInputError.shrinking` lists them); `today` is what plausible dates are measured
    from (default: the current date).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    say = progress or (lambda _message: None)
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
    labels = [str(p) for p in paths]
    try:
        staged: list[StagedFile] = []
        incomplete: set[str] = set()
        for n, (path, label) in enumerate(zip(paths, labels, strict=True)):
            say(f"读取 / reading {label}")
            name = f"{prefix}_file_{n}"
            temporary.append(name)
            target, result = stage_file(con, Path(path), label, name, table, spec_of, log)
            if result is None:
                if target:
                    incomplete.add(target)
                continue
            staged.append(result)
            say(f"  → {result.table}: {result.rows:,} 行 rows")

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
        validate(con, typed, incomplete, log, bounds, allow_shrink)
        if log:
            for staged_file in staged:  # file lines of the rows named, read only now
                rows = log.rows_of(staged_file.label)
                if rows and staged_file.lines:
                    log.set_lines(staged_file.label, staged_file.lines(rows))
            raise log.error({label: i for i, label in enumerate(labels)})
        written = apply(con, typed, say)
        say("完成 / done: " + ", ".join(f"{t} {n:,}" for t, n in written.items()))
        return written
    finally:
        for name in reversed(temporary):
            con.execute(f"drop table if exists temp.{quote_ident(name)}")
