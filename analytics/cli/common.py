"""What every subcommand shares: the exit codes, the progress printer, the --db option, month
arguments, the JSON default and opening a built warehouse.

Light on purpose: it is imported by `needsmine --help`, so anything heavy is imported inside
the function that needs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics import config

if TYPE_CHECKING:
    import duckdb

# The one set of exit codes (SPEC §5): 0 on success, 2 on bad input with a message on stderr;
# 1 when the work ran but its own checks failed (build's data tests).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class Progress:
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


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add `--db FILE`, the warehouse, to a subcommand (default from config)."""
    parser.add_argument(
        "--db",
        help=f"warehouse file (default: ${config.DB_ENV} or {config.DEFAULT_DB.relative_to(config.PROJECT_DIR)})",
    )


def bad_input(message: str) -> int:
    """Print `message` on stderr and return the bad-input exit code."""
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def parse_month(text: str | None) -> dt.date | None:
    """A YYYY-MM text (anything after the month is ignored) as the first day of that month; None
    stays None. Raises ValueError when it is not a month."""
    if text is None:
        return None
    return dt.datetime.strptime(text.strip()[:7], "%Y-%m").date()


def month_argument(text: str | None) -> dt.date | None:
    """`parse_month` for an option of train and score, which stop the program on a bad month with
    the bad-input status (SPEC §5: 2, with a message)."""
    try:
        return parse_month(text)
    except ValueError:
        print(f"needsmine: '{text}' 不是月份 / not a month (YYYY-MM)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def json_default(value: Any) -> Any:
    """What `json.dumps` writes for the values it does not know: numpy scalars as Python numbers,
    dates as ISO text, anything else as its str()."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def warehouse_not_found(path: Path) -> int:
    """Say that the warehouse file is missing (and how to make one); the bad-input exit code."""
    return bad_input(f"{path}: 仓库不存在，请先运行 needsmine demo 或 needsmine import / warehouse not found")


def open_built(args: argparse.Namespace) -> tuple[duckdb.DuckDBPyConnection | None, Path]:
    """(connection, path) to the warehouse of --db, built first if its marts are missing; the
    connection is None (message printed) when the file does not exist."""
    from analytics.warehouse import build, db

    path = config.db_path(args.db)
    if not path.exists():
        warehouse_not_found(path)
        return None, path
    con = db.connect(path)
    if not build.is_built(con):
        build.build(con, Progress(args.quiet))
    return con, path


def run_logged(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    """Run a parsed subcommand with the warehouse's operations log configured: its start, outcome
    and duration logged, an error logged with the command line before it propagates; a warehouse
    held by another process (`db.WarehouseLockedError`) is exit 2 with its message."""
    from analytics.common import logs

    log = logs.logger("cli")
    logs.configure(config.db_path(getattr(args, "db", None)))
    command = " ".join(sys.argv[1:] if argv is None else argv) or args.command
    t0 = time.perf_counter()
    try:
        code = args.run(args)
    except Exception as err:
        db = sys.modules.get("analytics.warehouse.db")  # imported already if it raised the lock error
        if db is not None and isinstance(err, db.WarehouseLockedError):
            log.warning("needsmine %s: warehouse locked by PID %s (%s)", command, err.pid, err.command)
            return bad_input(f"needsmine {args.command}: {err}")
        log.exception("needsmine %s failed after %.1f s", command, time.perf_counter() - t0)
        raise
    log.info("needsmine %s: exit %s in %.1f s", command, code, time.perf_counter() - t0)
    return code
