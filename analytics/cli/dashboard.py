"""`needsmine dashboard`: prepare the warehouse in the terminal, then serve the dashboard.

On a fresh clone the warehouse is empty: the demo is generated, built, trained and scored
(`analytics.models.preparation.prepare`, the step the dashboard would otherwise take when the first
browser opens) with a progress line per step here, so the terminal says what is happening and the
first person to open the browser gets the sign-in form at once. Then this process becomes
`streamlit run app.py` (same Python, same warehouse through NEEDSMINE_DB), which prints the address.
A prepared warehouse is left as it is and the server starts in a second or two.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from analytics import config
from analytics.cli.common import EXIT_OK, Progress, add_db_option

APP = config.PROJECT_DIR / "app.py"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `dashboard` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "dashboard",
        help="prepare the warehouse (on a fresh clone: the demo, about a minute) and serve the dashboard",
    )
    add_db_option(parser)
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the warehouse and stop")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def command(path: os.PathLike[str] | str, port: int) -> list[str]:
    """The `streamlit run` this command hands over to."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def run(args: argparse.Namespace) -> int:
    """Prepare the warehouse of --db, then replace this process by the Streamlit server."""
    from analytics.models import preparation

    path = config.db_path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    say = Progress(args.quiet)
    t0 = time.perf_counter()
    print(f"needsmine: 仓库 / warehouse {path}", file=sys.stderr, flush=True)
    ran = preparation.prepare(path, say)
    if ran:
        print(
            f"needsmine: 准备完成 / prepared ({', '.join(ran)}) in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    if args.prepare_only:
        return EXIT_OK
    print(f"needsmine: 启动看板 / starting the dashboard on http://localhost:{args.port}", file=sys.stderr, flush=True)
    os.environ[config.DB_ENV] = str(path.resolve())
    argv = command(path, args.port)
    os.chdir(config.PROJECT_DIR)
    os.execv(argv[0], argv)  # never returns
    return EXIT_OK  # pragma: no cover
