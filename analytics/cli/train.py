"""`needsmine train`: train the notes, business scope, churn and upsell models and save them beside the
warehouse; measure the retention actions' effects (`uplift_scores`)."""

from __future__ import annotations

import argparse
import json

from analytics import config
from analytics.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    Progress,
    add_db_option,
    bad_input,
    json_default,
    month_argument,
    open_built,
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `train` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "train",
        help="train the notes, business scope, churn and upsell models (rolling-origin evaluation) and save them",
        description=(
            "Train the notes model, the churn model and one upsell model per area on a built "
            "warehouse (builds it first if needed). The test as-of month is the latest whose label "
            "window is complete, or --as-of; models train only on as-of months whose labels were "
            "complete by then. Models are saved beside the warehouse (<db>.models/)."
        ),
    )
    parser.add_argument("--as-of", help="test as-of month, YYYY-MM (default: the latest with a complete window)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Train every model, save them, record the run and print the evaluation; the exit code."""
    import datetime as dt

    from analytics.models import registry, training

    as_of = month_argument(args.as_of)
    con, path = open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        try:
            models, report = training.train_all(con, as_of=as_of, seed=args.seed, progress=Progress(args.quiet))
        except ValueError as err:
            return bad_input(f"needsmine train: {err}")
        metadata = {"trained_at": dt.datetime.now().replace(microsecond=0), "warehouse": str(path), "seed": args.seed}
        registry.save_all(config.models_dir(path), models, report, metadata)
        registry.record_run(con, report, metadata)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=json_default))
        return EXIT_OK
    print(f"模型已保存 / models saved to {config.models_dir(path)}")
    notes = report["notes"]
    same = notes.get("macro_f1_same_phrasing", notes["macro_f1"])
    print(
        f"  走访纪要 notes: macro F1 {notes['macro_f1']:.3f} on new phrasing, "
        f"{same:.3f} on held-out accounts ({notes['test_rows']:,} notes)"
    )
    for area, r in report.get("scope", {}).get("areas", {}).items():
        if r.get("auc") is not None:
            truth = f", truth AUC {r['truth_auc']:.3f}" if r.get("truth_auc") is not None else ""
            print(f"  经营范围 scope {area:<20} held-out AUC {r['auc']:.3f}{truth} ({r['rows']:,} accounts)")
    for name, r in [("离网 churn", report["churn"])] + [(a, r) for a, r in report["upsell"].items()]:
        truth = (
            f", truth AUC {r['truth_auc']:.3f} (ratio {r['auc'] / r['truth_auc']:.3f})" if r.get("truth_auc") else ""
        )
        print(
            f"  {name:<20} test {r['test_as_of']}: AUC {r['auc']:.3f}{truth}, PR-AUC {r['pr_auc']:.3f}, "
            f"lift@10% {r['lift_top_decile']:.2f}, Brier {r['brier']:.4f}, {r['positives']}/{r['rows']} positive"
        )
    w = report.get("win") or {}
    if w.get("status") == "ok":
        truth = f", truth AUC {w['truth_auc']:.3f} (ratio {w['truth_ratio']:.3f})" if w.get("truth_auc") else ""
        print(
            f"  {'赢单 win':<20} test {w['test_as_of']}: AUC {w['auc']:.3f}{truth}, backtest mean AUC "
            f"{w['backtest_auc']:.3f}, {w['positives']}/{w['rows']} won"
        )
    else:
        print("  赢单 win: 已结束商机不足，未训练 / too few closed opportunities, not trained")
    _print_uplift(report.get("uplift") or {})
    return EXIT_OK


def _print_uplift(u: dict) -> None:
    """The retention actions' effects: Qini against the truth (demo) and each kind's average."""
    if u.get("status") != "ok":
        print("  挽留措施效果 uplift: 无带类型的挽留措施 / no retention actions with a kind recorded")
        return
    if u.get("qini_ratio") is not None:
        print(f"  挽留措施效果 uplift test {u['test_as_of']}: Qini / truth Qini {u['qini_ratio']:.3f}")
    for kind, r in u["average_effects"].items():
        if r.get("effect") is None:
            continue
        truth = f", truth {r['truth']:+.4f}" if r.get("truth") is not None else ""
        print(
            f"    {kind:<18} effect {r['effect']:+.4f} [{r['low']:+.4f}, {r['high']:+.4f}]{truth} "
            f"({r['treated_rows']} actions)"
        )
