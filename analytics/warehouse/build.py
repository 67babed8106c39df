"""`needsmine build`: the SQL layers (staging views → intermediate → marts) and their data tests.

What to build, as what, in which order and with which key comes from the SQL files themselves
(analytics/warehouse/layers.py reads their headers and references). Staging steps are views
(cheap, always fresh); intermediate steps are tables, as each is read by several marts, which as
views over views would compute it again for every reader. The data tests are the files of
`data_tests/` and a grain test per built model, generated from its declared key.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import config
from analytics.common import logs, rules
from analytics.warehouse import db, layers, rolling
from analytics.warehouse.layers import Model

GRAIN_TEST_PREFIX = "grain_"

Progress = Callable[[str, float], None]


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # data test -> failing rows (keys, for a grain test)
    messages: dict[str, str] = field(default_factory=dict)  # failing data test -> what failed, with an example

    @property
    def ok(self) -> bool:
        return not any(self.failures.values())


# --- the build -----------------------------------------------------------------------------------


def build(con: duckdb.DuckDBPyConnection, progress: Progress | None = None, *, test: bool = True) -> BuildReport:
    """Create every view and table of the layers in dependency order, then the page macros, then
    run the data tests. Returns seconds per step, rows per table and the data tests' failures."""
    say = progress or (lambda message, fraction: None)
    steps = [model for model in layers.load_models().values() if model.in_build]
    report = BuildReport()
    db.add_new_columns(con)  # a warehouse of an earlier version gains the columns added since
    db.ensure_pipeline_tables(con)  # … and the pipeline's tables (商机)
    rules.write_build_rules(con)  # the rules a step counts by (`-- reads: build_rules`)
    # Nothing reads these tables in storage order, and without the ordering constraint DuckDB
    # runs in parallel more freely (measured with the feature mart's SQL windows: 52 s -> 39 s at
    # 300,000 accounts).
    con.execute("set preserve_insertion_order = false")
    for i, model in enumerate(steps):
        say(f"构建 / building {model.name}", i / (len(steps) + 1))
        t0 = time.perf_counter()
        _drop_other_kind(con, model.name, model.kind)
        if model.materialized == "windowed_table":
            rolling.create_table(con, model.name, model.sql)
        else:
            con.execute(f"create or replace {model.kind} {model.name} as {model.sql}")
        report.seconds[model.name] = time.perf_counter() - t0
        if model.kind == "table":
            report.rows[model.name] = con.execute(f"select count(*) from {model.name}").fetchone()[0]
    for path in sorted((config.SQL_DIR / "macros").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    if test:
        say("数据测试 / data tests", len(steps) / (len(steps) + 1))
        report.failures = run_data_tests(con)
        report.messages = describe_failures(con, report.failures)
        for message in report.messages.values():
            say(f"数据测试失败 / data test failed: {message}", len(steps) / (len(steps) + 1))
    con.execute("reset preserve_insertion_order")
    stamp = "create or replace table build_stamp as select ?::varchar as sql_version, now() as built_at"
    con.execute(stamp, [sql_version()])  # which version's SQL built what is stored (`is_built`)
    slowest = sorted(report.seconds.items(), key=lambda item: -item[1])[:5]
    logs.logger("build").log(
        logging.INFO if report.ok else logging.WARNING,
        "build: %d steps in %.1f s (slowest: %s); data tests failing: %s",
        len(steps),
        sum(report.seconds.values()),
        ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest),
        {name: rows for name, rows in report.failures.items() if rows} or "none",
    )
    say("完成 / done", 1.0)
    return report


def _drop_other_kind(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    """A warehouse built by an older version may hold `name` as the other kind of object."""
    other = "table" if kind == "view" else "view"
    catalog = "duckdb_tables()" if other == "table" else "duckdb_views()"
    name_column = "table_name" if other == "table" else "view_name"
    if con.execute(f"select count(*) from {catalog} where {name_column} = ?", [name]).fetchone()[0]:
        con.execute(f"drop {other} {name}")


# --- data tests ----------------------------------------------------------------------------------


def grain_sql(model: Model, relation: str | None = None) -> str:
    """The keys of `model` (read from `relation`, default the model itself) that break its grain:
    repeated, or null in a column not declared nullable; with the number of rows of each."""
    keys = ", ".join(model.grain)
    broken = ["count(*) > 1", *(f"{key} is null" for key in model.grain if key not in model.nullable_keys)]
    relation = relation or model.name
    return f"select {keys}, count(*) as row_count from {relation} group by {keys} having {' or '.join(broken)}"


def data_tests(sql_dir: Path | None = None) -> dict[str, str]:
    """Every data test by name, as a select of the rows that break its rule: the files of
    `data_tests/`, then a grain test for each built model that declares a grain (but those whose
    grain a file checks, `grain_tested_by`)."""
    sql_dir = sql_dir or config.SQL_DIR
    tests = {path.stem: path.read_text(encoding="utf-8") for path in sorted((sql_dir / "data_tests").glob("*.sql"))}
    for model in layers.load_models(sql_dir).values():
        if model.in_build and model.grain and not model.grain_tested_by:
            tests[GRAIN_TEST_PREFIX + model.name] = grain_sql(model)
    return tests


def run_data_tests(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run every data test (one aggregate query each); returns its failing rows (for a grain test:
    failing keys), 0 when it passes."""
    return {name: con.execute(f"select count(*) from ({sql})").fetchone()[0] for name, sql in data_tests().items()}


def describe_failures(con: duckdb.DuckDBPyConnection, failures: dict[str, int]) -> dict[str, str]:
    """For each failing data test, a sentence saying what failed with one failing row: for a grain
    test the model, its key and a repeated (or null) key with its row count."""
    tests = data_tests()
    models = layers.load_models()
    messages = {}
    for name, failing in failures.items():
        if not failing:
            continue
        if name.startswith(GRAIN_TEST_PREFIX) and name.removeprefix(GRAIN_TEST_PREFIX) in models:
            model = models[name.removeprefix(GRAIN_TEST_PREFIX)]
            sample = _first_row(con, tests[name], "order by row_count desc")
            rows = sample.pop("row_count")
            messages[name] = (
                f"{model.name}: its grain ({', '.join(model.grain)}) is broken by {failing} repeated or null "
                f"keys; e.g. {_shown(sample)} has {rows} rows"
            )
        else:
            messages[name] = (
                f"{name}: {failing} rows break data_tests/{name}.sql; e.g. {_shown(_first_row(con, tests[name]))}"
            )
    return messages


def _first_row(con: duckdb.DuckDBPyConnection, sql: str, order: str = "") -> dict[str, object]:
    cursor = con.execute(f"select * from ({sql}) {order} limit 1")
    names = [column[0] for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _shown(row: dict[str, object]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in row.items())


def is_built(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every mart (as the table or view it is built as) and every page macro exists."""
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    have |= {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
    have |= {
        r[0]
        for r in con.execute(
            "select function_name from duckdb_functions() where macro_definition is not null"
        ).fetchall()
    }
    marts = {model.name for model in layers.load_models().values() if model.layer == "marts"}
    macros = {path.stem for path in (config.SQL_DIR / "macros").glob("*.sql")}
    return marts | macros <= have and _rules_unchanged(con, have) and _same_sql(con, have)


# The SQL that makes what a build stores (the raw schema, the layers, their rules, macros): when
# it changes — a new version of the product — the stored layers are out of date.
_BUILT_FROM = ("schema", "staging", "intermediate", "marts", "features", "labels", "rolling", "rules", "macros")


@functools.cache
def sql_version() -> str:
    """A fingerprint of the SQL a build runs (`_BUILT_FROM`), stored by the build in `build_stamp`."""
    digest = hashlib.sha256()
    for folder in _BUILT_FROM:
        for path in sorted((config.SQL_DIR / folder).rglob("*.sql")):
            digest.update(path.relative_to(config.SQL_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _same_sql(con: duckdb.DuckDBPyConnection, have: set[str]) -> bool:
    """Whether the stored layers were built by this version's SQL (a warehouse built by an
    earlier version is built again at the dashboard's start, or by the next build)."""
    if "build_stamp" not in have:
        return False
    stored = con.execute("select sql_version from build_stamp").fetchone()
    return stored is not None and stored[0] == sql_version()


def _rules_unchanged(con: duckdb.DuckDBPyConnection, have: set[str]) -> bool:
    """Whether the stored layers were built by the rules in force (the urgent report kind the churn
    features count): a changed rules file makes the warehouse unbuilt, so the next build — the
    dashboard's start, `needsmine build`, train or score — applies it, rather than pages that read
    the rule live disagreeing with the stored features. A rules file that does not load changes
    nothing here (the pages that read it say what is wrong)."""
    if "build_rules" not in have:
        return False
    try:
        wanted = rules.load().urgent_kind
    except rules.RulesError:
        return True
    stored = con.execute("select urgent_kind from build_rules").fetchone()
    return stored is not None and stored[0] == wanted
