"""The command line: `needsmine` (also `python -m analytics`), SPEC §5.

`main` builds one argparse parser with a subcommand per module, in the order of the help and of
a first start: `dashboard` (prepares the warehouse in the terminal, then serves the dashboard),
`demo` (or `import_files`, the `import` command) fills the warehouse, `build`
makes its SQL layers, `train` and `score` the models and their scores; beside them `train_table`
(bring your own features), `proposal` (an account's Word document), `compliance` (the
guideline's figures) and `users` (the dashboard's users). Each module has `add_parser(subparsers)`
and `run(args) -> int`; `common` holds what they share: the exit codes (0 ok, 2 bad input), the
progress printer, --db, month arguments, the JSON default, and `run_logged`: the operations log
of the warehouse (analytics/common/logs.py) and a warehouse held by another process (the running
dashboard) as exit 2 with a message naming the holder, never a traceback.

Building the parser stays light (`needsmine --help` starts fast): a module imports the warehouse
and models inside its `run`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from analytics.cli import (
    build,
    common,
    compliance,
    dashboard,
    demo,
    import_files,
    notes,
    proposal,
    score,
    train,
    train_table,
    users,
)

SUBCOMMANDS = (dashboard, demo, import_files, build, train, score, train_table, proposal, compliance, notes, users)


def build_parser() -> argparse.ArgumentParser:
    """The parser of `needsmine` with every subcommand; each sets `args.run`."""
    parser = argparse.ArgumentParser(
        prog="needsmine",
        description="集团客户需求挖掘工作台 — warehouse, models and reports for enterprise accounts.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(subparsers).set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]); the exit code."""
    args = build_parser().parse_args(argv)
    return common.run_logged(args, argv)
