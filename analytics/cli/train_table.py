"""`needsmine train-table`: bring your own features (SPEC §4) — the command line of
`analytics.models.train_table`, which does the modelling."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analytics.cli.common import EXIT_OK, Progress, bad_input, json_default


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `train-table` to the command line's subcommands; the new parser."""
    # The choices and the margin of --model are the model's own; reading them imports scikit-learn.
    from analytics.models.train_table.train import AUTO_MARGIN, DEFAULT_MODEL, MODEL_CHOICES

    parser = subparsers.add_parser(
        "train-table",
        help="bring your own features: cross-validate and score a wide table with a binary target",
        description=(
            "Train the needsmine model family on your own account-level table (CSV in UTF-8/GBK/"
            "GB18030, XLSX or Parquet): one row per account, any numeric and categorical "
            "columns, one binary target (yes/no, 是/否, true/false, 1/0, -1/1). Identifier "
            "columns are excluded automatically. Reports 5-fold cross-validated AUC, PR-AUC, "
            "top-decile lift, Brier score and calibration; --out scores every row with the "
            "top 3 reasons. Exit status 2 on bad input."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the table (.csv, .xlsx, .parquet)")
    parser.add_argument("--target", required=True, metavar="COL", help="the binary target column")
    parser.add_argument(
        "--id",
        dest="id_column",
        metavar="COL",
        help="identifier column: excluded from features, written to --out",
    )
    parser.add_argument(
        "--positive",
        metavar="VALUE",
        help="the target value that counts as positive (default: yes/是/true/1/"
        "the larger number, else the rarer value)",
    )
    parser.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default=DEFAULT_MODEL,
        help="additive (exact reasons), boosted, or auto: cross-validate both and "
        f"take boosted only if its AUC is ≥{AUTO_MARGIN} higher "
        f"(default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--out",
        metavar="SCORED.csv",
        help="score every row of FILE (rows without a target too): id column or row number "
        "(1 = first data row), probability, top 3 reasons (UTF-8 with BOM, opens in Excel)",
    )
    parser.add_argument("--report", metavar="REPORT.txt", help="also write the readable report here")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and models")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def run(args: argparse.Namespace) -> int:
    """Cross-validate, fit and (with --out) score the table; print the report or its JSON and
    write --report. The exit code: 0, or 2 on bad input (message on stderr)."""
    from analytics.models.train_table.read import BadTableInput
    from analytics.models.train_table.report import format_report
    from analytics.models.train_table.train import train_table

    progress = Progress(args.quiet)
    out = Path(args.out) if args.out else None
    report_path = Path(args.report) if args.report else None
    for target_file in (out, report_path):
        if target_file is not None and not target_file.parent.is_dir():
            return bad_input(f"{target_file}: 目录不存在 / directory does not exist")
    try:
        result = train_table(
            Path(args.file),
            args.target,
            id_column=args.id_column,
            positive=args.positive,
            model=args.model,
            seed=args.seed,
            score=out is not None,
            progress=progress,
        )
    except BadTableInput as e:
        return bad_input(f"needsmine train-table: {e}")
    if out is not None:
        try:
            from analytics.views.exports import formula_safe  # ids from the analyst's table: no formula cells

            formula_safe(result.scored).to_csv(out, index=False, encoding="utf-8-sig")
        except OSError as e:
            return bad_input(f"{out}: 无法写入 / cannot write: {e}")
        result.summary["out"] = str(out)
        result.summary["out_rows"] = len(result.scored)
    text = format_report(result.summary)
    if report_path is not None:
        report_path.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result.summary, ensure_ascii=False, default=json_default))
    else:
        print(text)
    return EXIT_OK
