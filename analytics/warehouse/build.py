"""`needsmine build`: the SQL layers (staging views → intermediate → marts) and their data tests.

Each `.sql` file holds one select and is named after the view or table it becomes; the order
below is the dependency order. Staging steps are views (cheap, always fresh); intermediate steps
and marts are tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from analytics import config
from analytics.warehouse import rolling

STAGING = (
    "stg_accounts", "stg_managers", "stg_products", "stg_billing_monthly", "stg_members_monthly",
    "stg_interactions", "stg_competitor_reports", "stg_complaints", "stg_contacts", "stg_profile_updates",
)  # fmt: skip
INTERMEDIATE = (
    "int_account_months", "int_account_month_activity", "int_account_decision_makers", "int_peer_area_rates",
    "int_recent_accounts_in_service",
)  # fmt: skip
MARTS = ("mart_account_features", "mart_consumption_monthly", "mart_peer_benchmarks", "mart_account_whitespace",
         "mart_revenue_monthly_summary")

# Product-level consumption is read one account or one aggregate at a time; as a view it costs
# nothing to build (as a table: a third of the build at province scale). The feature mart joins
# small tables to the stored activity and does arithmetic within a row: storing its 112 columns
# took a quarter of the build's CPU at 300,000 accounts, while the view adds 0.1 s to an aggregate
# over one month there (0.25 s over all months; a month read into pandas is faster).
MART_VIEWS = frozenset({"mart_consumption_monthly", "mart_account_features"})
# Steps whose rows are followed by their trailing windows, computed in numpy (analytics/warehouse/rolling.py).
WITH_WINDOWS = frozenset({"int_account_month_activity"})

Progress = Callable[[str, float], None]


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # data test -> failing rows

    @property
    def ok(self) -> bool:
        return not any(self.failures.values())


def _sql(layer: str, name: str) -> str:
    return (config.SQL_DIR / layer / f"{name}.sql").read_text(encoding="utf-8")


def build(con: duckdb.DuckDBPyConnection, progress: Progress | None = None, *, test: bool = True) -> BuildReport:
    """Create every view and mart in the warehouse, then run the data tests."""
    say = progress or (lambda message, fraction: None)
    report = BuildReport()
    # Nothing reads these tables in storage order, and without the ordering constraint DuckDB
    # runs in parallel more freely (measured with the feature mart's SQL windows: 52 s -> 39 s at
    # 300,000 accounts).
    con.execute("set preserve_insertion_order = false")
    steps = [("staging", n) for n in STAGING] + [("intermediate", n) for n in INTERMEDIATE] + [("marts", n) for n in MARTS]
    for i, (layer, name) in enumerate(steps):
        say(f"构建 / building {name}", i / (len(steps) + 1))
        t0 = time.perf_counter()
        # Intermediate steps are tables: each is read by several marts, which as views over
        # views would compute it again for every reader.
        kind = "view" if layer == "staging" or name in MART_VIEWS else "table"
        _drop_other_kind(con, name, kind)
        if name in WITH_WINDOWS:
            rolling.create_table(con, name, _sql(layer, name))
        else:
            con.execute(f"create or replace {kind} {name} as {_sql(layer, name)}")
        report.seconds[name] = time.perf_counter() - t0
        if kind == "table":
            report.rows[name] = con.execute(f"select count(*) from {name}").fetchone()[0]
    for path in sorted((config.SQL_DIR / "macros").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    if test:
        say("数据测试 / data tests", len(steps) / (len(steps) + 1))
        report.failures = run_data_tests(con)
    con.execute("reset preserve_insertion_order")
    say("完成 / done", 1.0)
    return report


def _drop_other_kind(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    """A warehouse built by an older version may hold `name` as the other kind of object."""
    other = "table" if kind == "view" else "view"
    catalog = "duckdb_tables()" if other == "table" else "duckdb_views()"
    name_column = "table_name" if other == "table" else "view_name"
    if con.execute(f"select count(*) from {catalog} where {name_column} = ?", [name]).fetchone()[0]:
        con.execute(f"drop {other} {name}")


def run_data_tests(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Each file in `sql/data_tests/` selects the rows that break a rule; returns their counts."""
    return {
        path.stem: con.execute(f"select count(*) from ({path.read_text(encoding='utf-8')})").fetchone()[0]
        for path in sorted((config.SQL_DIR / "data_tests").glob("*.sql"))
    }


def is_built(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every mart (as the table or view it is built as) and every page macro exists."""
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    have |= {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
    have |= {r[0] for r in con.execute("select function_name from duckdb_functions() where macro_definition is not null").fetchall()}
    macros = {path.stem for path in (config.SQL_DIR / "macros").glob("*.sql")}
    return set(MARTS) | macros <= have
