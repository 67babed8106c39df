"""`needsmine import`: validate and import files into the warehouse in one transaction.

(Named import_files because a module cannot be called `import`.)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics import config
from analytics.cli.common import EXIT_BAD_INPUT, EXIT_OK, Progress, add_db_option, bad_input


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `import` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "import",
        help="import CSV (UTF-8/GBK/GB18030), XLSX or Parquet files into the warehouse, atomically",
        description=(
            "Validate and import files in one transaction. The table is taken from --table, the file "
            "name (e.g. billing_monthly.csv, 账单.csv) or the headers. Monthly tables replace the "
            "months present in the files; other tables are updated by key. On any problem nothing "
            "is written and the exit status is 2; a month that would lose more than half its rows "
            "is such a problem unless --allow-shrink confirms it."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--table", help="target table for every file (default: from file name or headers)")
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        help="confirm that months of monthly tables may shrink by more than the contract allows (default 50%%)",
    )
    parser.add_argument("--json", action="store_true", help="print rows imported per table as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Import the files (all or nothing) and print rows per table; the exit code."""
    from analytics.common import logs
    from analytics.warehouse import db
    from analytics.warehouse.importer import BadInputError, import_files

    progress = Progress(args.quiet)
    path = config.db_path(args.db)
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        for f in missing:
            print(f"{f}: 文件不存在 / file not found", file=sys.stderr)
        return EXIT_BAD_INPUT
    log = logs.logger("import")
    names = ", ".join(str(f) for f in args.files)
    with db.connect(path) as con:
        db.create_schema(con)
        try:
            counts = import_files(
                con,
                [Path(f) for f in args.files],
                table=args.table,
                progress=progress,
                allow_shrink=args.allow_shrink,
            )
        except BadInputError as err:
            log.warning("import refused (nothing changed): files %s; %s", names, err.format()[:2000])
            return bad_input(err.format())
    log.info("import applied: files %s; rows %s", names, counts)
    if args.json:
        print(json.dumps({"db": str(path), "rows": counts}, ensure_ascii=False))
    else:
        print(f"导入完成 / imported into {path}")
        for table, rows in counts.items():
            print(f"  {table:<20} {rows:>12,}")
    return EXIT_OK
