"""Page response benchmark (SPEC §7: a filter change or an account switch answers in ≤ 0.5 s at
province scale once warm).

Each page runs in Streamlit's AppTest (the real app.py, its pages and caches, in this process) on
a prepared warehouse. A page is opened once (cold: connection, filter lists), then the sidebar's
district filter is changed N times to districts not shown before (each change runs the page's
queries for the first time) and, on the account view, N accounts are switched to. Reported: the
median and the worst of those warm runs, and, as a baseline from the same process, the median of
re-running the page with nothing changed (Streamlit's own overhead plus cache hits). Then, with
every account in scope again (the department head's view), the month is changed to each of up to N
earlier scored months: "month, all" is the median of those runs.

This measures the server's side of a response (the script run that computes and sends the
page), not the browser's drawing.

    python benchmarks/bench_pages.py --db /path/to/prepared.duckdb   # e.g. a 300,000-account demo
    python benchmarks/bench_pages.py --accounts 300000               # prepare one first (≈ 10 min)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.access import pages as registry  # noqa: E402 (after the path is set)

# Every page of the department head's navigation but the administrator's: the registry's order.
PAGES = tuple(page.name for page in registry.for_role("head"))
TARGET_SECONDS = 0.5


def _timed(at) -> float:
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].message}")
    return seconds


def _open(db: Path, page: str, user):
    from streamlit.testing.v1 import AppTest

    os.environ["NEEDSMINE_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if user is not None:
        at.session_state["_user"] = user
    at.run()
    at.switch_page(f"pages/{page}.py")
    return at


def bench_page(db: Path, page: str, districts: list[str], accounts: list[str], months: list, user) -> dict[str, float]:
    at = _open(db, page, user)
    if page == "account":
        at.query_params["account"] = accounts[0]
    cold = _timed(at)
    same = [_timed(at) for _ in range(3)]
    changes = []
    if page == "account":
        for account in accounts[1:]:
            at.query_params["account"] = account
            changes.append(_timed(at))
    for district in districts:
        at.session_state["f_districts"] = [district]
        changes.append(_timed(at))
    # The department head's own view: every account, another month.
    at.session_state["f_districts"] = []
    _timed(at)
    month_changes = []
    for month in months:
        at.session_state["f_month"] = month
        month_changes.append(_timed(at))
    return {
        "cold": cold,
        "unchanged": statistics.median(same),
        "median": statistics.median(changes),
        "worst": max(changes),
        "n": len(changes),
        "month": statistics.median(month_changes) if month_changes else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a warehouse (prepared if it is not: build, train, score)")
    parser.add_argument("--accounts", type=int, default=300_000, help="demo size when --db does not exist")
    parser.add_argument("--changes", type=int, default=5, help="filter changes / account switches per page")
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()

    from analytics.access import auth
    from analytics.models import preparation
    from analytics.warehouse import db

    path = args.db or Path(f"/tmp/needsmine-bench-pages-{args.accounts}/w.duckdb")
    t0 = time.perf_counter()
    ran = preparation.prepare(path, demo_accounts=args.accounts)
    if ran:
        print(f"prepared {path}: {', '.join(ran)} in {time.perf_counter() - t0:.0f} s")
    with db.connect(path) as con:
        accounts_count = con.execute("select count(*) from accounts").fetchone()[0]
        billing_rows = con.execute("select count(*) from billing_monthly").fetchone()[0]
        districts = [
            r[0]
            for r in con.execute(
                "select district from accounts group by all order by count(*) desc limit ?", [args.changes]
            ).fetchall()
        ]
        accounts = [
            r[0]
            for r in con.execute(
                "select account_id from scores where as_of_month = (select max(as_of_month) from scores) "
                "order by hash(account_id) limit ?",
                [args.changes + 1],
            ).fetchall()
        ]
        # Months before the latest scored one (the default), each read for the first time.
        months = [
            r[0]
            for r in con.execute(
                "select distinct as_of_month from scores order by 1 desc limit ?", [args.changes + 1]
            ).fetchall()
        ][1:]
    user = auth.User("bench", "benchmark", "admin") if hasattr(auth, "User") else None

    print(
        f"needsmine page benchmark (SPEC §7: ≤ {TARGET_SECONDS} s warm) — {accounts_count:,} accounts, "
        f"{billing_rows:,} billing rows"
    )
    print(f"  {'page':<20}{'cold':>8}{'unchanged':>11}{'change median':>15}{'worst':>8}{'month, all':>12}  verdict")
    for page in args.pages:
        r = bench_page(path, page, districts, accounts, months, user)
        slow = [what for what, v in (("district/account", r["median"]), ("month", r["month"])) if v > TARGET_SECONDS]
        verdict = f"SLOW ({', '.join(slow)})" if slow else "ok"
        print(
            f"  {page:<20}{r['cold']:>7.2f}s{r['unchanged']:>10.2f}s{r['median']:>14.2f}s{r['worst']:>7.2f}s"
            f"{r['month']:>11.2f}s  {verdict} (n={r['n']}+{len(months)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
