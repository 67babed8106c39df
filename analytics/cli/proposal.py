"""`needsmine proposal`: write one account's Word document from the command line — the customer's
proposal (服务方案, the default) or the manager's internal brief (客户经营简报, `--kind brief`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analytics import config
from analytics.cli.common import EXIT_OK, add_db_option, bad_input, parse_month
from analytics.common import i18n


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `proposal` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "proposal",
        help="write an account's Word document: the customer's proposal (服务方案) or the internal brief",
        description=(
            "Write one account's document as an A4 .docx file, as the account view downloads it. "
            "--kind proposal (default): the customer's 服务方案 — their current services, needs heard, "
            "the recommended solution per area with indicative prices, next steps, the manager's "
            "contact; nothing internal. --kind brief: the manager's 客户经营简报 — churn risk and its "
            "reasons, revenue at risk, competitors, complaints, key people and their carriers, "
            "retention points, opportunities. Needs a scored warehouse (needsmine score)."
        ),
    )
    parser.add_argument("--account", required=True, metavar="ID", help="account id (集团编号)")
    parser.add_argument("--out", required=True, metavar="FILE", help="the .docx file to write")
    parser.add_argument(
        "--kind", choices=("proposal", "brief"), default="proposal", help="which document (default proposal)"
    )
    parser.add_argument("--as-of", help="month, YYYY-MM (default: the latest scored month)")
    parser.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE, help="language of the document (default zh)"
    )
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    add_db_option(parser)
    return parser


def _fail(message: str) -> int:
    return bad_input(f"needsmine proposal: {message}")


def run(args: argparse.Namespace) -> int:
    """Write the proposal of --account to --out and say what was written; the exit code."""
    from analytics.views.account import documents
    from analytics.views.account import view as account
    from analytics.warehouse import db

    path = config.db_path(args.db)
    if not path.exists():
        return _fail(f"{path}: 仓库不存在 / warehouse not found (needsmine demo, build, train, score)")
    try:
        month = parse_month(args.as_of or None)
    except ValueError:
        return _fail(f"--as-of '{args.as_of}' 不是月份 / not a month (YYYY-MM)")
    out = Path(args.out)
    if not out.parent.exists():
        return _fail(f"--out {out}: 目录不存在 / folder not found: {out.parent}")
    with db.connect(path) as con:
        latest = account.latest_scored_month(con)
        if latest is None:
            return _fail(f"{path}: 尚无评分 / not scored yet (needsmine score)")
        try:
            view = account.load(con, args.account, month or latest)
        except account.AccountNotFound:
            return _fail(f"--account {args.account}: 集团不存在 / no such account in {path}")
    documents.write(view, out, args.kind, args.lang)
    if args.json:
        written = {
            "account_id": view.account_id,
            "account_name": view.name,
            "as_of": f"{view.month:%Y-%m}",
            "kind": args.kind,
            "lang": args.lang,
            "out": str(out),
            "scored": view.score is not None,
        }
        print(json.dumps(written, ensure_ascii=False))
    else:
        what = "服务方案 / proposal" if args.kind == "proposal" else "客户经营简报 / brief"
        print(f"{what}: {out} ({view.account_id} {view.name}, {view.month:%Y-%m})")
    return EXIT_OK
