"""The build against its floor (issue 17): in the same run and on the same warehouse, the work the
build cannot avoid — reading the billing once per account and month, the trailing window sums
over those account-months, and the account × month × area totals — and then the build itself, with
the ratio build / floor and the build's time per step (where it goes).

The floor queries write their results to temporary tables (what the build must at least do: read
the raw rows, aggregate, store), on the warehouse's own DuckDB settings. Each floor query runs
--repeat times (median); the build runs once per repeat on a fresh copy of the warehouse.

    python benchmarks/bench_floor.py --db W.duckdb          # a generated warehouse (built or not)
    python benchmarks/bench_floor.py --accounts 5000        # generate one first (seed 7)

Goal (issue 17): build ≤ 3 × floor at 300,000 accounts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.warehouse import build, db  # noqa: E402 (after the path is set)

FLOOR = {
    "group by account, month": """
        create or replace temp table floor_am as
        select account_id, billing_month, sum(revenue_yuan) as revenue_yuan, count(*) as lines
        from billing_monthly group by all""",
    "3/6/12-month windows": """
        create or replace temp table floor_windows as
        select account_id, billing_month,
            sum(revenue_yuan) over (partition by account_id order by billing_month
                rows between 2 preceding and current row) as r3,
            sum(revenue_yuan) over (partition by account_id order by billing_month
                rows between 5 preceding and current row) as r6,
            sum(revenue_yuan) over (partition by account_id order by billing_month
                rows between 11 preceding and current row) as r12
        from floor_am""",
    "group by account, month, area": """
        create or replace temp table floor_area as
        select b.account_id, b.billing_month, p.area, sum(b.revenue_yuan) as revenue_yuan
        from billing_monthly as b join products as p using (product_id) group by all""",
}


def floor(path: Path, repeat: int) -> dict[str, float]:
    """Median seconds of each floor query on `path`."""
    times: dict[str, list[float]] = {name: [] for name in FLOOR}
    with db.connect(path, read_only=True) as con:
        for _ in range(repeat):
            for name, sql in FLOOR.items():
                t0 = time.perf_counter()
                con.execute(sql)
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(values) for name, values in times.items()}


def build_once(path: Path, folder: Path) -> dict[str, float]:
    """Seconds per build step on a fresh copy of `path`."""
    copy = folder / "build.duckdb"
    shutil.copy(path, copy)
    with db.connect(copy) as con:
        report = build.build(con, test=False)
    copy.unlink()
    return report.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a generated warehouse")
    parser.add_argument("--accounts", type=int, default=5000, help="demo size to generate when --db is not given")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db
        if path is None:
            path = Path(folder) / "demo.duckdb"
            subprocess.run(
                [sys.executable, "-m", "analytics", "demo", "--accounts", str(args.accounts), "--seed", "7"]
                + ["--quiet", "--db", str(path)],
                check=True,
            )
        with db.connect(path, read_only=True) as con:
            accounts = con.execute("select count(*) from accounts").fetchone()[0]
            rows = con.execute("select count(*) from billing_monthly").fetchone()[0]
        floors = floor(path, args.repeat)
        builds = [build_once(path, Path(folder)) for _ in range(args.repeat)]
    steps = {name: statistics.median(b[name] for b in builds) for name in builds[0]}
    total_floor = sum(floors.values())
    total_build = statistics.median(sum(b.values()) for b in builds)
    print(f"{accounts:,} accounts, {rows:,} billing rows; medians of {args.repeat} runs")
    print("floor (what the build cannot avoid):")
    for name, seconds in floors.items():
        print(f"  {name:<32} {seconds:7.2f} s")
    print(f"  {'together':<32} {total_floor:7.2f} s")
    print(f"build: {total_build:.2f} s = {total_build / total_floor:.1f} × floor (goal ≤ 3 ×)")
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1])[:8]:
        print(f"  {name:<32} {seconds:7.2f} s  ({seconds / total_build:5.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
