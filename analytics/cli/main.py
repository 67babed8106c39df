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
    trn = sub.add_parser(
        "train",
        help="train the notes, churn and upsell models (rolling-origin evaluation) and save them",
        description=(
            "Train the notes model, the churn model and one upsell model per area on a built "
            "warehouse (builds it first if needed). The test as-of month is the latest whose label "
            "window is complete, or --as-of; models train only on as-of months whose labels were "
            "complete by then. Models are saved beside the warehouse (<db>.models/)."
        ),
    )
    trn.add_argument("--as-of", help="test as-of month, YYYY-MM (default: the latest with a complete window)")
    trn.add_argument("--seed", type=int, default=0)
    trn.add_argument("--json", action="store_true", help="print the report as one JSON object")
    trn.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(trn)

    sco = sub.add_parser("score", help="score every account in service: churn risk, reasons, upsell per area")
    sco.add_argument("--as-of", help="as-of month, YYYY-MM (default: the latest month)")
    sco.add_argument("--months", type=int, default=1, help="score this many months up to --as-of (default 1)")
    sco.add_argument("--json", action="store_true", help="print row counts as JSON")
    sco.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(sco)

    from analytics.models.train_table.train import add_train_table_parser

    add_train_table_parser(sub)
    from analytics.cli.proposal import add_proposal_parser

    add_proposal_parser(sub)
    _add_compliance_parser(sub)
    from analytics.cli.users import add_users_parser

    add_users_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "train-table":
        from analytics.models.train_table.train import run_train_table

        return run_train_table(args)
    if args.command == "proposal":
        from analytics.cli.proposal import run_proposal

        return run_proposal(args)
    if args.command == "compliance":
        return _compliance(args)
    if args.command == "users":
        from analytics.cli.users import run_users

        return run_users(args)
    return {"demo": _demo, "import": _import, "build": _build, "train": _train, "score": _score}[args.command](args)


def _month(text: str | None):
    """A YYYY-MM argument as the first day of that month (None stays None)."""
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.datetime.strptime(text.strip()[:7], "%Y-%m").date()
    except ValueError:
        raise SystemExit(f"needsmine: '{text}' 不是月份 / not a month (YYYY-MM)") from None


def _demo(args: argparse.Namespace) -> int:
    from analytics.warehouse import demo

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
    from analytics.warehouse import db
    from analytics.warehouse.importer import BadInputError, import_files

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
    from analytics.warehouse import build, db

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


def _open_built(args: argparse.Namespace):
    """The warehouse of --db, built if its marts are missing; None (message printed) if absent."""
    from analytics.warehouse import build, db

    path = config.db_path(args.db)
    if not path.exists():
        print(f"{path}: 仓库不存在，请先运行 needsmine demo 或 needsmine import / warehouse not found", file=sys.stderr)
        return None, path
    con = db.connect(path)
    if not build.is_built(con):
        build.build(con, _Progress(args.quiet))
    return con, path


def _train(args: argparse.Namespace) -> int:
    import datetime as dt

    from analytics.models import registry, training

    as_of = _month(args.as_of)
    con, path = _open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        try:
            models, report = training.train_all(con, as_of=as_of, seed=args.seed, progress=_Progress(args.quiet))
        except ValueError as err:
            print(f"needsmine train: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        metadata = {"trained_at": dt.datetime.now().replace(microsecond=0), "warehouse": str(path),
                    "seed": args.seed}  # fmt: skip
        registry.save_all(config.models_dir(path), models, report, metadata)
        registry.record_run(con, report, metadata)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=_json_default))
        return EXIT_OK
    print(f"模型已保存 / models saved to {config.models_dir(path)}")
    print(f"  走访纪要 notes: macro F1 {report['notes']['macro_f1']:.3f} (held-out {report['notes']['test_rows']:,} notes)")
    for name, r in [("离网 churn", report["churn"])] + [(a, r) for a, r in report["upsell"].items()]:
        truth = f", truth AUC {r['truth_auc']:.3f} (ratio {r['auc'] / r['truth_auc']:.3f})" if r.get("truth_auc") else ""
        print(f"  {name:<20} test {r['test_as_of']}: AUC {r['auc']:.3f}{truth}, PR-AUC {r['pr_auc']:.3f}, "
              f"lift@10% {r['lift_top_decile']:.2f}, Brier {r['brier']:.4f}, {r['positives']}/{r['rows']} positive")
    return EXIT_OK


def _json_default(value):
    import datetime as dt

    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _score(args: argparse.Namespace) -> int:
    from analytics.models import features, registry, scoring
    from analytics.models.family import ModelFileError

    as_of = _month(args.as_of)
    con, path = _open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        try:
            models, _ = registry.load_all(config.models_dir(path))
        except (FileNotFoundError, ModelFileError) as err:
            print(f"needsmine score: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        last = as_of or features.month_bounds(con)[1]
        counts = {}
        for k in reversed(range(max(1, args.months))):
            month = features.add_months(last, -k)
            try:
                counts[f"{month:%Y-%m}"] = scoring.score(con, models, as_of=month, progress=_Progress(args.quiet))
            except ValueError as err:
                print(f"needsmine score: {err}", file=sys.stderr)
                return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps({"db": str(path), "scored": counts}, ensure_ascii=False))
    else:
        for month, c in counts.items():
            print(f"评分完成 / scored {month}: {c['scores']:,} accounts, mean churn probability {c['mean_churn_probability']:.3f}")
    return EXIT_OK


def _add_compliance_parser(sub) -> None:
    com = sub.add_parser(
        "compliance",
        help="check the guideline's rules (profiles, competitor reports, visits, retention) at a date",
        description=(
            "Count who breaks the rules of rules.toml at --as-of: profiles overdue (basic, personal), "
            "managers without a competitor report this month and urgent (争抢) reports filed after their "
            "Chinese working-day deadline (both for the month of --as-of up to that day), accounts under "
            "their visit quota, and accounts at risk without a retention action."
        ),
    )
    com.add_argument("--as-of", help="the day to judge, YYYY-MM-DD (YYYY-MM: that month's last day; default: today)")
    com.add_argument("--rules", help="rules file (default: $NEEDSMINE_RULES or the packaged rules.toml)")
    com.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    com.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_db(com)


def _compliance(args: argparse.Namespace) -> int:
    import datetime as dt

    from analytics.common import rules
    from analytics.common.workdays import CalendarRangeError
    from analytics.views import compliance
    from analytics.views.compliance._common import month_end

    text = (args.as_of or dt.date.today().isoformat()).strip()
    try:
        as_of = month_end(dt.date.fromisoformat(text + "-01")) if len(text) == 7 else dt.date.fromisoformat(text)
    except ValueError:
        print(f"needsmine compliance: --as-of '{text}' 不是日期 / not a date (YYYY-MM-DD)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        rule_set = rules.load(args.rules)
    except rules.RulesError as err:
        print(f"needsmine compliance: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    con, path = _open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        try:
            summary = compliance.summary(con, as_of, None, rule_set)
        except CalendarRangeError as err:
            print(f"needsmine compliance: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
    figures = summary.as_json()
    if args.json:
        print(json.dumps({"db": str(path), "rules": str(rule_set.path), **figures}, ensure_ascii=False))
        return EXIT_OK
    reports = figures["reports"]
    print(f"规范执行 / rule compliance at {as_of} ({path})")
    print(f"  在册集团 accounts on the books            {summary.accounts_on_books:>8,}")
    print(f"  基本资料逾期 basic profile overdue        {summary.profile_overdue_basic:>8,}")
    print(f"  个性化资料逾期 personal profile overdue   {summary.profile_overdue_personal:>8,}")
    print(f"  本月未上报竞争信息的客户经理 managers without a report  "
          f"{reports['managers_without_report']:,} / {reports['managers']:,}")
    print(f"  争抢信息超时 urgent reports late          {reports['late_urgent']:,} / {reports['urgent']:,}")
    print(f"  服务次数未达标 accounts under visit quota {summary.visits_under_quota:>8,}")
    month = figures["score_month"] or "—"
    print(f"  高风险未挽留 at risk without action       {summary.at_risk_without_action:,} / {summary.at_risk:,} "
          f"(scores {month})")
    return EXIT_OK
