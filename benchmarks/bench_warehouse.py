"""Benchmark of the warehouse issue against SPEC §7: demo generation at 5,000 and 300,000
accounts, and importing ≥ 10 M billing rows from CSV (validated, one transaction).

Each workload runs in a fresh child process so that its peak memory (ru_maxrss) is its own.
Times are medians over --repeat runs; the import is also given as a ratio against DuckDB's own
unvalidated `read_csv` of the same file in the same child (the floor for any CSV import).

    python benchmarks/bench_warehouse.py              # everything (≈ 6–10 min on 2 cores)
    python benchmarks/bench_warehouse.py --quick      # 5,000 accounts only
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD_DEMO = """
import json, resource, sys, time
from analytics.warehouse import db
from analytics.warehouse import demo
path, accounts = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
with db.connect(path) as con:
    rows = demo.generate(con, accounts=accounts, months=36, seed=1)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_gib": peak,
                  "billing_rows": rows["billing_monthly"]}))
"""

CHILD_IMPORT = """
import json, resource, shutil, sys, time
from pathlib import Path
import duckdb
from analytics.warehouse import db
from analytics.warehouse.importer import import_files
base, csv, work, encoding = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
shutil.copy(base, work)
t0 = time.perf_counter()
with db.connect(work) as con:
    counts = import_files(con, [csv], table="billing_monthly")
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
floor = None
if encoding == "utf-8":
    t0 = time.perf_counter()
    raw = duckdb.connect()
    raw.execute("create table t as select * from read_csv(?, header = true)", [str(csv)])
    floor = time.perf_counter() - t0
figures = {"seconds": seconds, "peak_gib": peak, "rows": counts["billing_monthly"], "raw_read_csv_seconds": floor}
print(json.dumps(figures))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_demo(tmp: Path, accounts: int, repeat: int) -> dict:
    runs = []
    for i in range(repeat):
        path = tmp / f"demo_{accounts}_{i}.duckdb"
        runs.append(child(CHILD_DEMO, str(path), str(accounts)))
        if i < repeat - 1:
            path.unlink()
    return {
        "accounts": accounts,
        "seconds": median_of(runs, "seconds"),
        "peak_gib": max(r["peak_gib"] for r in runs),
        "billing_rows": runs[0]["billing_rows"],
        "runs": len(runs),
        "db": str(tmp / f"demo_{accounts}_{repeat - 1}.duckdb"),
    }


def bench_import(tmp: Path, repeat: int, rows: int) -> list[dict]:
    from analytics.warehouse import db, demo
    from analytics.warehouse.importer import export_table

    # A warehouse big enough to hold `rows` billing rows (≈ 150 rows per account over 36 months).
    base = tmp / "import_base.duckdb"
    with db.connect(base) as con:
        demo.generate(con, accounts=max(1000, rows // 140), months=36, seed=2)
        total = con.execute("select count(*) from billing_monthly").fetchone()[0]
    results = []
    for encoding, chinese in (("utf-8", False), ("gbk", True)):
        csv = tmp / f"billing_{encoding}.csv"
        with db.connect(base, read_only=True) as con:
            export_table(con, "billing_monthly", csv, chinese_headers=chinese, encoding=encoding)
        runs = [
            child(CHILD_IMPORT, str(base), str(csv), str(tmp / "import_work.duckdb"), encoding) for _ in range(repeat)
        ]
        result = {
            "encoding": encoding,
            "headers": "中文" if chinese else "English",
            "rows": runs[0]["rows"],
            "csv_mib": csv.stat().st_size / 2**20,
            "seconds": median_of(runs, "seconds"),
            "peak_gib": max(r["peak_gib"] for r in runs),
            "runs": len(runs),
            "warehouse_rows": total,
        }
        if runs[0]["raw_read_csv_seconds"] is not None:
            result["raw_read_csv_seconds"] = median_of(runs, "raw_read_csv_seconds")
            result["ratio_to_raw_read_csv"] = result["seconds"] / result["raw_read_csv_seconds"]
        results.append(result)
        csv.unlink()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 5,000-account demo")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the small workloads (median)")
    parser.add_argument("--import-rows", type=int, default=10_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    report: dict = {"targets": {"demo_300k_seconds": 180, "peak_gib": 8, "import_10m_seconds": 60}}
    with tempfile.TemporaryDirectory(prefix="needsmine-bench-") as tmp_name:
        tmp = Path(tmp_name)
        report["demo_5k"] = bench_demo(tmp, 5000, args.repeat)
        if not args.quick:
            report["demo_300k"] = bench_demo(tmp, 300_000, 1)
            report["demo_300k"]["ratio_to_5k"] = report["demo_300k"]["seconds"] / report["demo_5k"]["seconds"]
            report["import"] = bench_import(tmp, max(1, args.repeat - 1), args.import_rows)
    for part in ("demo_5k", "demo_300k"):
        report.get(part, {}).pop("db", None)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print("needsmine warehouse benchmark (SPEC §7)")
    for part in ("demo_5k", "demo_300k"):
        if part in report:
            r = report[part]
            extra = f", {r['ratio_to_5k']:.1f}× the 5k time" if "ratio_to_5k" in r else ""
            print(
                f"  demo {r['accounts']:>7,} accounts × 36 months: {r['seconds']:6.1f} s median of {r['runs']}, "
                f"peak {r['peak_gib']:.2f} GiB, {r['billing_rows']:,} billing rows{extra}"
            )
    for r in report.get("import", []):
        ratio = (
            f", {r['ratio_to_raw_read_csv']:.1f}× DuckDB's raw read_csv ({r['raw_read_csv_seconds']:.1f} s)"
            if "ratio_to_raw_read_csv" in r
            else ""
        )
        print(
            f"  import {r['rows']:,} billing rows, CSV {r['encoding']} {r['headers']} headers "
            f"({r['csv_mib']:.0f} MiB): "
            f"{r['seconds']:6.1f} s median of {r['runs']}, peak {r['peak_gib']:.2f} GiB{ratio}"
        )
    print("  targets: demo 300k ≤ 180 s, peak ≤ 8 GiB; import 10 M rows ≤ 60 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
