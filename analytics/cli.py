"""`needsmine` (also `python -m analytics`): the command line of SPEC §5."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analytics import config

EXIT_OK, EXIT_BAD_INPUT = 0, 2


class _Progress:
    """Progress on stderr: a line per step, overwritten in place on a terminal."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()

    def __call__(self, message: str, fraction: float | None = None) -> None:
        if self.quiet:
            return
        pct = f"{fraction * 100:5.1f}% " if fraction is not None else ""
        line = f"[{time.perf_counter() - self.t0:6.1f}s] {pct}{message}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line + ("\n" if fraction in (None, 1.0) else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help=f"warehouse file (default: ${config.DB_ENV} or {config.DEFAULT_DB.relative_to(config.PROJECT_DIR)})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="needsmine",
        description="集团客户需求挖掘工作台 — warehouse, models and reports for enterprise accounts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="generate the synthetic demo warehouse (replaces its tables)")
    demo.add_argument("--accounts", type=int, default=5000, help="number of group accounts (default 5000)")
    demo.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    demo.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same data")
    demo.add_argument("--end-month", default="2026-10", help="last billing month, YYYY-MM (default 2026-10)")
    demo.add_argument("--json", action="store_true", help="print row counts as JSON")
    demo.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(demo)

    imp = sub.add_parser(
        "import",
        help="import CSV (UTF-8/GBK/GB18030), XLSX or Parquet files into the warehouse, atomically",
        description=(
            "Validate and import files in one transaction. The table is taken from --table, the file "
            "name (e.g. billing_monthly.csv, 账单.csv) or the headers. Monthly tables replace the "
            "months present in the files; other tables are updated by key. On any problem nothing "
            "is written and the exit status is 2."
        ),
    )
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--table", help="target table for every file (default: from file name or headers)")
    imp.add_argument("--json", action="store_true", help="print rows imported per table as JSON")
    imp.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(imp)
    bld = sub.add_parser("build", help="build the SQL layers (staging views, marts) and run the data tests")
    bld.add_argument("--json", action="store_true", help="print timings, rows and data-test results as JSON")
    bld.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(bld)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return {"demo": _demo, "import": _import, "build": _build}[args.command](args)


def _demo(args: argparse.Namespace) -> int:
    from analytics import demo

    if args.accounts < 1 or args.months < 7:
        print("needsmine demo: --accounts must be ≥ 1 and --months ≥ 7", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = _Progress(args.quiet)
    path = config.db_path(args.db)
    counts = demo.build_file(
        path, accounts=args.accounts, months=args.months, seed=args.seed,
        end_month=args.end_month, progress=progress,
    )  # fmt: skip
    if args.json:
        print(json.dumps({"db": str(path), "rows": counts}, ensure_ascii=False))
    else:
        print(f"演示数据已生成 / demo warehouse written: {path}")
        for table, rows in counts.items():
            print(f"  {table:<20} {rows:>12,}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from analytics import db
    from analytics.importer import BadInputError, import_files

    progress = _Progress(args.quiet)
    path = config.db_path(args.db)
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        for f in missing:
            print(f"{f}: 文件不存在 / file not found", file=sys.stderr)
        return EXIT_BAD_INPUT
    with db.connect(path) as con:
        db.create_schema(con)
        try:
            counts = import_files(con, [Path(f) for f in args.files], table=args.table, progress=progress)
        except BadInputError as err:
            print(err.format(), file=sys.stderr)
            return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps({"db": str(path), "rows": counts}, ensure_ascii=False))
    else:
        print(f"导入完成 / imported into {path}")
        for table, rows in counts.items():
            print(f"  {table:<20} {rows:>12,}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from analytics import build, db

    path = config.db_path(args.db)
    if not path.exists():
        print(f"{path}: 仓库不存在，请先运行 needsmine demo 或 needsmine import / warehouse not found", file=sys.stderr)
        return EXIT_BAD_INPUT
    with db.connect(path) as con:
        report = build.build(con, _Progress(args.quiet))
    if args.json:
        print(json.dumps({"db": str(path), "seconds": report.seconds, "rows": report.rows,
                          "data_tests": report.failures, "ok": report.ok}, ensure_ascii=False))
    else:
        print(f"构建完成 / built {path} in {sum(report.seconds.values()):.1f} s")
        for name, rows in report.rows.items():
            print(f"  {name:<28} {rows:>12,}  {report.seconds[name]:6.1f} s")
        for name, failing in report.failures.items():
            print(f"  数据测试 {name:<28} {'通过 / pass' if failing == 0 else f'失败 / FAIL: {failing} rows'}")
    return EXIT_OK if report.ok else 1
