"""`needsmine demo`: generate the synthetic demo warehouse."""

from __future__ import annotations

import argparse
import json

from analytics import config
from analytics.cli.common import EXIT_OK, Progress, add_db_option, bad_input


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `demo` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser("demo", help="generate the synthetic demo warehouse (replaces its tables)")
    parser.add_argument("--accounts", type=int, default=5000, help="number of group accounts (default 5000)")
    parser.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same data")
    parser.add_argument("--end-month", default="2026-10", help="last billing month, YYYY-MM (default 2026-10)")
    parser.add_argument("--json", action="store_true", help="print row counts as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Write the demo warehouse at --db and print its row counts; the exit code."""
    from analytics.warehouse import demo

    if args.accounts < 1 or args.months < 7:
        return bad_input("needsmine demo: --accounts must be ≥ 1 and --months ≥ 7")
    path = config.db_path(args.db)
    counts = demo.build_file(
        path,
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        end_month=args.end_month,
        progress=Progress(args.quiet),
    )
    if args.json:
        print(json.dumps({"db": str(path), "rows": counts}, ensure_ascii=False))
    else:
        print(f"演示数据已生成 / demo warehouse written: {path}")
        for table, rows in counts.items():
            print(f"  {table:<20} {rows:>12,}")
    return EXIT_OK
