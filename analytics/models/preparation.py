"""Bring a warehouse to the state the dashboard reads: data, SQL layers, trained models, scores.

The dashboard calls this on start (a fresh clone has no warehouse: it generates the demo); each
step runs only when its result is missing, so a prepared warehouse costs one quick look.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from analytics import config
from analytics.access import auth
from analytics.common import logs
from analytics.common.months import add_months
from analytics.warehouse import build, db, demo

Progress = Callable[[str, float], None]

# The dashboard shows month-on-month change of scored figures, and recommendations exist for the
# whitespace mart's last three months: score those.
SCORED_MONTHS = 3
DEMO_ACCOUNTS = 5000


def has_data(path: Path) -> bool:
    """True when the file holds the contract's tables with at least one account."""
    if not path.exists():
        return False
    with db.connect(path) as con:  # read-write, like the app's own connection (one config per file)
        if "accounts" not in db.existing_tables(con):
            return False
        return con.execute("select count(*) from accounts").fetchone()[0] > 0


def ensure_demo(
    path: Path, progress: Callable[[str, float], None] | None = None, *, accounts: int | None = None
) -> bool:
    """Generate the demo into `path` unless it already holds data; True when it generated."""
    if has_data(path):
        return False
    demo.build_file(path, accounts=accounts or DEMO_ACCOUNTS, seed=0, progress=progress)
    return True


def _models_missing(path: Path) -> bool:
    """True when a model of the warehouse is missing, or was written in another file format or
    under another scikit-learn version (it would be refused when loaded: train again). An optional
    model (the scope model) counts only when its file is there: a folder of before it was saved
    still scores, with the scope scores training wrote (see `registry.OPTIONAL`)."""
    from analytics.models import persistence, registry

    folder = config.models_dir(path)
    present = [name for name in registry.OPTIONAL if registry.path_of(folder, name).exists()]
    return not all(persistence.is_current(registry.path_of(folder, name)) for name in (*registry.NAMES, *present))


def months_to_score(con: duckdb.DuckDBPyConnection, months: int = SCORED_MONTHS) -> list[dt.date]:
    """The last `months` months that have no scores yet (oldest first)."""
    from analytics.models import features

    last = features.month_bounds(con)[1]
    wanted = [add_months(last, -k) for k in reversed(range(months))]
    if "scores" not in db.existing_tables(con):
        return wanted
    have = {r[0] for r in con.execute("select distinct as_of_month from scores").fetchall()}
    return [m for m in wanted if m not in have]


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Only the demo generator writes the truth tables; real imports have none."""
    tables = db.existing_tables(con)
    return "truth_churn" in tables and con.execute("select count(*) from truth_churn").fetchone()[0] > 0


def is_ready(path: Path) -> bool:
    """True when the dashboard can open `path` without preparing anything."""
    if not has_data(path) or _models_missing(path):
        return False
    # Read-write like every connection of the app: DuckDB refuses two configurations of one file
    # in one process.
    with db.connect(path) as con:
        return build.is_built(con) and not months_to_score(con)


def prepare(path: Path, progress: Progress | None = None, *, demo_accounts: int | None = None) -> list[str]:
    """Generate (demo, only if the file holds no data), build, train and score as needed.

    Returns the names of the steps that ran. Progress fractions cover the whole preparation.
    """
    from analytics.models import registry, scoring, training

    say = progress or (lambda message, fraction: None)
    ran: list[str] = []
    t0 = time.perf_counter()

    def within(start: float, end: float) -> Progress:
        return lambda message, fraction: say(message, start + (end - start) * min(max(fraction, 0.0), 1.0))

    if not has_data(path):
        ensure_demo(path, within(0.0, 0.15), accounts=demo_accounts)
        ran.append("demo")
    with db.connect(path) as con:
        if is_demo(con):
            auth.ensure_demo_users(con)  # one per role, named in the README; only if there are no users
        if not build.is_built(con):
            build.build(con, within(0.15, 0.25))
            ran.append("build")
        if _models_missing(path):
            models, report = training.train_all(con, progress=within(0.25, 0.85))
            metadata = {"trained_at": dt.datetime.now().replace(microsecond=0), "warehouse": str(path), "seed": 0}
            registry.save_all(config.models_dir(path), models, report, metadata)
            registry.record_run(con, report, metadata)
            ran.append("train")
        months = months_to_score(con)
        if {"build", "train"} & set(ran) and "scores" in db.existing_tables(con):
            # the stored scores came from other features or other models: score those months again
            scored = {r[0] for r in con.execute("select distinct as_of_month from scores").fetchall()}
            months = sorted(set(months) | scored)
        if months:
            models, _ = registry.load_all(config.models_dir(path))
            for i, month in enumerate(months):
                span = 0.15 / len(months)
                scoring.score(con, models, as_of=month, progress=within(0.85 + i * span, 0.85 + (i + 1) * span))
            ran.append("score")
    if ran:
        logs.logger("refresh").info("prepared %s: %s in %.1f s", path, ", ".join(ran), time.perf_counter() - t0)
    say("完成 / ready", 1.0)
    return ran


def retrain(path: Path, progress: Progress | None = None) -> dict:
    """Train every model again on `path` and score again every month that has scores (at least the
    last SCORED_MONTHS); returns the training report."""
    from analytics.models import registry, scoring, training

    say = progress or (lambda message, fraction: None)
    with db.connect(path) as con:
        models, report = training.train_all(con, progress=lambda m, f: say(m, 0.8 * f))
        metadata = {"trained_at": dt.datetime.now().replace(microsecond=0), "warehouse": str(path), "seed": 0}
        registry.save_all(config.models_dir(path), models, report, metadata)
        registry.record_run(con, report, metadata)
        months = set(months_to_score(con, SCORED_MONTHS))
        if "scores" in db.existing_tables(con):
            months |= {r[0] for r in con.execute("select distinct as_of_month from scores").fetchall()}
        models, _ = registry.load_all(config.models_dir(path))
        for i, month in enumerate(sorted(months)):
            scoring.score(con, models, as_of=month)
            say(f"评分 / scoring {month:%Y-%m}", 0.8 + 0.2 * (i + 1) / len(months))
    return report
