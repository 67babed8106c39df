"""`needsmine build`: build the SQL layers and run the data tests."""

from __future__ import annotations

import argparse
import json

from analytics import config
from analytics.cli.common import EXIT_FAILED, EXIT_OK, Progress, add_db_option, warehouse_not_found


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `build` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser("build", help="build the SQL layers (staging views, marts) and run the data tests")
    parser.add_argument("--json", action="store_true", help="print timings, rows and data-test results as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Build the warehouse of --db and print timings, rows and data tests; the exit code (1 when
    a data test fails)."""
    from analytics.warehouse import build, db

    path = config.db_path(args.db)
    if not path.exists():
        return warehouse_not_found(path)
    with db.connect(path) as con:
        report = build.build(con, Progress(args.quiet))
    if args.json:
        figures = {
            "db": str(path),
            "seconds": report.seconds,
            "rows": report.rows,
            "data_tests": report.failures,
            "ok": report.ok,
        }
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(f"构建完成 / built {path} in {sum(report.seconds.values()):.1f} s")
        for name, rows in report.rows.items():
            print(f"  {name:<28} {rows:>12,}  {report.seconds[name]:6.1f} s")
        for name, failing in report.failures.items():
            print(f"  数据测试 {name:<28} {'通过 / pass' if failing == 0 else f'失败 / FAIL: {failing} rows'}")
    return EXIT_OK if report.ok else EXIT_FAILED
