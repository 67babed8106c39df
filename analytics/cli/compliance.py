"""`needsmine compliance`: the guideline's figures (SPEC §6) at a date."""

from __future__ import annotations

import argparse
import json
import sys

from analytics.cli.common import EXIT_BAD_INPUT, EXIT_OK, add_db_option, bad_input, open_built


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `compliance` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "compliance",
        help="check the guideline's rules (profiles, competitor reports, visits, retention) at a date",
        description=(
            "Count who breaks the rules of rules.toml at --as-of: profiles overdue (basic, personal), "
            "managers without a competitor report this month and urgent (争抢) reports filed after their "
            "Chinese working-day deadline (both for the month of --as-of up to that day), accounts under "
            "their visit quota, and accounts at risk without a retention action."
        ),
    )
    parser.add_argument(
        "--as-of",
        help="the day to judge, YYYY-MM-DD (YYYY-MM: that month's last day; default: the last day of the data's "
        "latest month, as the dashboard's daily-work pages open on)",
    )
    parser.add_argument("--rules", help="rules file (default: $NEEDSMINE_RULES or the packaged rules.toml)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Judge the rules at --as-of and print the figures; the exit code."""
    import datetime as dt

    from analytics.common import rules
    from analytics.common.months import month_end
    from analytics.common.workdays import CalendarRangeError, calendar_warning
    from analytics.views import compliance
    from analytics.views.daily_work import period
    from analytics.warehouse import queries

    text = (args.as_of or "").strip()
    as_of: dt.date | None = None
    if args.as_of is not None:
        try:
            as_of = month_end(dt.date.fromisoformat(text + "-01")) if len(text) == 7 else dt.date.fromisoformat(text)
        except ValueError:
            return bad_input(f"needsmine compliance: --as-of '{text}' 不是日期 / not a date (YYYY-MM-DD)")
    try:
        rule_set = rules.load(args.rules)
    except rules.RulesError as err:
        return bad_input(f"needsmine compliance: {err}")
    con, path = open_built(args)
    if con is None:
        return EXIT_BAD_INPUT
    with con:
        if as_of is None:  # the data's latest month, judged at its end (or today while it runs)
            months = [m.date() for m in queries.run(con, "filter_months")["billing_month"]]
            as_of = period.as_of_for(period.default_period(None, months))
        try:
            summary = compliance.summary(con, as_of, None, rule_set)
        except CalendarRangeError as err:
            return bad_input(f"needsmine compliance: {err}")
    figures = summary.as_json()
    warning = calendar_warning(as_of)  # make-up days (调休) of the year unknown: counted without them
    if args.json:
        extra = {"calendar_warning": warning} if warning else {}
        print(json.dumps({"db": str(path), "rules": str(rule_set.path), **figures, **extra}, ensure_ascii=False))
        if warning:
            print(f"needsmine compliance: {warning}", file=sys.stderr)
        return EXIT_OK
    reports = figures["reports"]
    managers = f"{reports['managers_without_report']:,} / {reports['managers']:,}"
    at_risk = f"{summary.at_risk_without_action:,} / {summary.at_risk:,}"
    print(f"规范执行 / rule compliance at {as_of} ({path})")
    print(f"  在网集团 accounts in service              {summary.accounts_in_service:>8,}")
    print(f"  基本资料逾期 basic profile overdue        {summary.profile_overdue_basic:>8,}")
    print(f"  个性化资料逾期 personal profile overdue   {summary.profile_overdue_personal:>8,}")
    print(f"  本月未上报竞争信息的客户经理 managers without a report  {managers}")
    print(f"  争抢信息超时 urgent reports late          {reports['late_urgent']:,} / {reports['urgent']:,}")
    print(f"  服务次数未达标 accounts under visit quota {summary.visits_under_quota:>8,}")
    print(f"  高风险未挽留 at risk without action       {at_risk} (scores {figures['score_month'] or '—'})")
    if warning:
        print(f"  注意 note: {warning}")
    return EXIT_OK
