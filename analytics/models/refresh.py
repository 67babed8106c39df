"""Refresh a warehouse while the dashboard serves it: after an import, build the SQL layers and
score again (and retrain when asked) without stopping anyone.

The work runs in a snapshot, never in the served file: the served warehouse is copied into
`<name>.refresh.duckdb` beside it in one consistent read (`COPY FROM DATABASE`), the snapshot is
built, scored (and trained) there, and then only the *derived* tables — what the build and the
scoring write: intermediate and mart tables, `build_rules`, `interaction_needs`, the scores and
their reasons and recommendations, the score history, `model_runs` — are brought back into the
served warehouse in one transaction. So:

- everyone keeps working on the previous state meanwhile (readers see the old tables until that
  transaction commits, then the new ones at once, never a mix);
- forms written during the refresh are not lost: the tables people write (interactions, reports,
  retention actions, users, sessions, the audit trail, the imported data) are never copied back;
  what was written after the snapshot is counted at the next refresh;
- a failed refresh (a data test failing, an error anywhere) changes nothing in the served file:
  the previous state keeps serving, and the snapshot is removed.

Retrained models are written into the warehouse's models folder only after the tables are in.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import config
from analytics.common import logs
from analytics.warehouse import build, db, layers

Progress = Callable[[str, float], None]

# What the scoring and training write (besides the build's own tables).
MODEL_OUTPUTS = (
    "interaction_needs",
    "scope_scores",
    "scores",
    "score_reasons",
    "score_recommendations",
    "uplift_scores",
    "score_history",
    "model_runs",
)
SNAPSHOT = "needsmine_refresh"  # the snapshot's name while attached to the served connection


class RefreshError(RuntimeError):
    """The refresh could not finish; the served warehouse is unchanged."""


@dataclass
class RefreshReport:
    months_scored: list[dt.date] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)  # the derived tables brought back
    retrained: bool = False
    churn_auc: float | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # snapshot, build, train, score, swap


def snapshot_path(path: Path) -> Path:
    return path.with_name(path.stem + ".refresh.duckdb")


def derived_tables() -> list[str]:
    """The tables a refresh replaces: the build's tables (in build order), then the models' outputs."""
    built = [m.name for m in layers.load_models().values() if m.in_build and m.kind == "table"]
    return [*built, "build_rules", "build_stamp", *MODEL_OUTPUTS]


def _remove(snapshot: Path) -> None:
    for leftover in (snapshot, snapshot.with_name(snapshot.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(config.models_dir(snapshot), ignore_errors=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def refresh(
    served: duckdb.DuckDBPyConnection, path: Path, progress: Progress | None = None, *, retrain: bool = False
) -> RefreshReport:
    """Build and score warehouse `path` again (retrain too when `retrain`) in a snapshot and bring
    the derived tables back into it through `served`, the connection the dashboard reads by.
    Raises RefreshError (the served warehouse unchanged) when a data test fails or a step errs."""
    from analytics.models import preparation, registry, scoring, training

    say = progress or (lambda message, fraction: None)
    log = logs.logger("refresh")
    report = RefreshReport(retrained=retrain)
    snapshot = snapshot_path(path)
    _remove(snapshot)
    cur = served.cursor()
    this = cur.execute("select current_database()").fetchone()[0]
    try:
        t0 = time.perf_counter()
        say("复制快照 / copying a snapshot", 0.01)
        cur.execute(f"attach {_literal(snapshot)} as {SNAPSHOT}")
        try:
            cur.execute(f"copy from database {_quoted(this)} to {SNAPSHOT}")
        finally:
            cur.execute(f"detach {SNAPSHOT}")
        report.seconds["snapshot"] = time.perf_counter() - t0

        with db.connect(snapshot) as con:
            t0 = time.perf_counter()
            built = build.build(con, lambda m, f: say(m, 0.05 + 0.25 * f))
            report.seconds["build"] = time.perf_counter() - t0
            if not built.ok:
                raise RefreshError("; ".join(built.messages.values()) or f"data tests failing: {built.failures}")
            t0 = time.perf_counter()
            if retrain:
                models, trained = training.train_all(con, progress=lambda m, f: say(m, 0.3 + 0.5 * f))
                metadata = {"trained_at": dt.datetime.now().replace(microsecond=0), "warehouse": str(path), "seed": 0}
                registry.record_run(con, trained, metadata)
                report.churn_auc = trained["churn"]["auc"]
                report.seconds["train"] = time.perf_counter() - t0
            else:
                models, _ = registry.load_all(config.models_dir(path))
            t0 = time.perf_counter()
            months = set(preparation.months_to_score(con))
            if "scores" in db.existing_tables(con):
                months |= {r[0] for r in con.execute("select distinct as_of_month from scores").fetchall()}
            start = 0.8 if retrain else 0.3
            for i, month in enumerate(sorted(months)):
                scoring.score(con, models, as_of=month)
                say(f"评分 / scoring {month:%Y-%m}", start + (0.95 - start) * (i + 1) / len(months))
            report.months_scored = sorted(months)
            report.seconds["score"] = time.perf_counter() - t0
            present = db.existing_tables(con)
        wanted = [name for name in derived_tables() if name in present]

        t0 = time.perf_counter()
        say("切换 / switching to the new state", 0.96)
        cur.execute(f"attach {_literal(snapshot)} as {SNAPSHOT} (read_only)")
        try:
            cur.execute("begin")
            try:
                for name in wanted:
                    cur.execute(
                        f"create or replace table {_quoted(this)}.main.{_quoted(name)} as "
                        f"select * from {SNAPSHOT}.main.{_quoted(name)}"
                    )
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
        finally:
            cur.execute(f"detach {SNAPSHOT}")
        report.tables = wanted
        report.seconds["swap"] = time.perf_counter() - t0
        if retrain:
            registry.save_all(config.models_dir(path), models, trained, metadata)
    except RefreshError:
        log.warning("refresh of %s failed; the served warehouse is unchanged", path)
        raise
    finally:
        cur.close()
        _remove(snapshot)
    log.info(
        "refresh of %s: %s (%s)",
        path,
        ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()),
        "retrained" if retrain else "models kept",
    )
    say("完成 / done", 1.0)
    return report


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
