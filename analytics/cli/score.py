"""`needsmine score`: score every account in service with the saved models."""

from __future__ import annotations

import argparse
import json

from analytics import config
from analytics.cli.common import EXIT_BAD_INPUT, EXIT_OK, Progress, add_db_option, bad_input, month_argument, open_built


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `score` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser("score", help="score every account in service: churn risk, reasons, upsell per area")
    parser.add_argument("--as-of", help="as-of month, YYYY-MM (default: the latest month)")
    parser.add_argument("--months", type=int, default=1, help="score this many months up to --as-of (default 1)")
    parser.add_argument("--json", action="store_true", help="print row counts as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Score --months months up to --as-of and print what was written; the exit code."""
    from analytics.common.months import add_months
    from analytics.models import features, registry, scoring
    from analytics.models.persistence import ModelFileError

    as_of = month_argument(args.as_of)
    con, path = open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        try:
            models, _ = registry.load_all(config.models_dir(path))
        except (FileNotFoundError, ModelFileError) as err:
            return bad_input(f"needsmine score: {err}")
        last = as_of or features.month_bounds(con)[1]
        counts = {}
        for k in reversed(range(max(1, args.months))):
            month = add_months(last, -k)
            try:
                counts[f"{month:%Y-%m}"] = scoring.score(con, models, as_of=month, progress=Progress(args.quiet))
            except ValueError as err:
                return bad_input(f"needsmine score: {err}")
    if args.json:
        print(json.dumps({"db": str(path), "scored": counts}, ensure_ascii=False))
    else:
        for month, c in counts.items():
            mean = c["mean_churn_probability"]
            print(f"评分完成 / scored {month}: {c['scores']:,} accounts, mean churn probability {mean:.3f}")
    return EXIT_OK
