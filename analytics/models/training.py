"""`needsmine train`: the notes model, the scope model, the churn model, one upsell model per area
and the effects of the retention actions (`uplift`).

Rolling-origin evaluation (SPEC §4): the test as-of month T is the latest whose label window is
complete; the evaluated model trains only on as-of months whose labels were complete by T
(≤ T − window), so nothing it learns comes from after T. The backtest repeats this at earlier
origins (one fit each, with the penalty chosen at T). The model saved is the evaluated one, so
the figures shown are those of the model that scores accounts.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from joblib.externals.loky import ProcessPoolExecutor, get_reusable_executor
from sklearn.base import clone

from analytics.common.months import add_months
from analytics.config import AREAS, WINDOWS
from analytics.models import features as feats
from analytics.models import history, labels, scope, uplift, win
from analytics.models.family import BASELINE, contributions, make_pipeline
from analytics.models.metrics import evaluate
from analytics.models.notes import model as notes
from analytics.models.notes.mentions import mentions
from analytics.warehouse.demo import notes as demo_notes

Progress = Callable[[str, float], None]
HISTORY_MONTHS = 5  # as-of months need this much history before them to be used
# The test origin and two earlier ones, three months apart. Each origin costs a fit of every
# model: a fourth made training at 5,000 accounts ~2 s slower (of 22 s).
BACKTEST_ORIGINS = 3
BACKTEST_STEP_MONTHS = 3  # between origins; each origin's model scores its months up to the next (history)
MAX_ACCOUNTS = 20_000  # a province's warehouse trains on a random sample of its accounts
MAX_NOTES = 15_000  # the notes model reaches its held-out F1 well before this (demo: 5k accounts ≈ 45k notes)
MAX_TRAIN_ROWS = 60_000  # per fit; beyond this, as-of months are thinned evenly
PENALTIES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # L2 strengths tried (C of LogisticRegression)


@dataclass
class Trained:
    name: str  # "churn" or an area
    model: object
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    report: dict


def write_interaction_needs(
    con: duckdb.DuckDBPyConnection,
    model: notes.NotesModel,
    *,
    only_new: bool = False,
    since: dt.date | None = None,
) -> int:
    """Read the needs (and competitors named) in interview notes into `interaction_needs`, the
    table the features aggregate. With only_new, only interviews not read before are added;
    with since, only interviews from that date on."""
    have = con.execute("select count(*) from duckdb_tables() where table_name = 'interaction_needs'").fetchone()[0]
    new_only = only_new and have
    where = ["occurred_at >= $since"] if since else []
    if new_only:
        where.append("interaction_id not in (select interaction_id from interaction_needs)")
    sql = "select interaction_id, account_id, occurred_at, notes from interactions"
    rows = con.execute(sql + (" where " + " and ".join(where) if where else ""), {"since": since} if since else {}).df()
    # Notes repeat a lot: read each distinct text once.
    codes, distinct = pd.factorize(rows["notes"].fillna(""))
    probability = (
        model.predict_proba(np.asarray(distinct, dtype=object))[codes] if len(distinct) else np.zeros((0, len(AREAS)))
    )
    named = mentions(
        pd.Series(distinct, dtype="str"), con.execute("select product_id, product_name from products").df()
    )
    products_named = named["products"].to_numpy()[codes] if len(distinct) else np.zeros(0, object)
    competitors_named = named["competitors"].to_numpy()[codes] if len(distinct) else np.zeros(0, object)
    competitor = (named["competitors"].list.len().to_numpy() > 0)[codes] if len(distinct) else np.zeros(0, bool)
    out = rows[["interaction_id", "account_id"]].copy()
    out["occurred_month"] = rows["occurred_at"].dt.to_period("M").dt.to_timestamp().dt.date
    for j, area in enumerate(model.areas):
        out[f"need_{area}"] = probability[:, j]
        out[f"has_need_{area}"] = probability[:, j] >= model.thresholds[j]
    out["mentions_competitor"] = competitor
    out["products_named"] = pd.Series(list(products_named), dtype=named["products"].dtype) if len(distinct) else []
    out["competitors_named"] = (
        pd.Series(list(competitors_named), dtype=named["competitors"].dtype) if len(distinct) else []
    )
    with con.cursor() as cur:
        cur.register("_needs", pa.Table.from_pandas(out, preserve_index=False))
        if new_only:
            cur.execute("insert into interaction_needs by name select * from _needs")
        else:
            cur.execute("create or replace table interaction_needs as select * from _needs")
    return len(out)


def _thin(frame: pd.DataFrame, month_column: str, limit: int) -> pd.DataFrame:
    """Keep every k-th as-of month (newest first) so that at most ~limit rows remain."""
    if len(frame) <= limit:
        return frame
    months = np.sort(frame[month_column].unique())[::-1]
    step = int(np.ceil(len(frame) / limit))
    return frame[frame[month_column].isin(months[::step])]


def _truth(con: duckdb.DuckDBPyConnection, name: str, as_of: dt.date) -> pd.DataFrame | None:
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    if name == "churn" and "truth_churn" in have:
        return con.execute(
            "select account_id, window_probability as truth_probability from truth_churn where billing_month = ?",
            [as_of],
        ).df()
    if name != "churn" and "truth_adoption" in have:
        return con.execute(
            "select account_id, window_probability as truth_probability from truth_adoption "
            "where billing_month = ? and area = ?",
            [as_of, name],
        ).df()
    return None


def _fit_and_test(
    pipeline, train: pd.DataFrame, test: pd.DataFrame, columns: list[str], target: str
) -> tuple[object, np.ndarray]:
    model = clone(pipeline).fit(train[columns], train[target].astype(int))
    return model, model.predict_proba(test[columns])[:, 1]


def test_month_of(data: pd.DataFrame, as_of: dt.date | None) -> pd.Timestamp:
    """The test as-of month: the given one, else the latest whose label window is complete."""
    if as_of is not None:
        return pd.Timestamp(as_of)
    return pd.Timestamp(data.loc[data["is_complete"], "as_of_month"].max())


@dataclass
class Job:
    """One model to train: its rows (features joined to labels) and how to read them.
    `truth`: the truth tables' probabilities at the test month (account_id,
    truth_probability), or None for real data."""

    name: str
    data: pd.DataFrame
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    target: str
    window: int
    as_of: dt.date | None
    seed: int
    truth: pd.DataFrame | None = None

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    @property
    def test_month(self) -> pd.Timestamp:
        return test_month_of(self.data, self.as_of)

    def pipeline(self):
        return make_pipeline(list(self.numeric), list(self.categorical), seed=self.seed).set_params(
            classifier__Cs=PENALTIES, classifier__cv=3
        )

    def split(self, origin: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Training rows: complete as-of months ≤ origin − window (labels known by origin);
        test rows: the origin month."""
        complete = self.data[self.data["is_complete"]]
        cutoff = origin - pd.DateOffset(months=self.window)
        train = _thin(complete[complete["as_of_month"] <= cutoff], "as_of_month", MAX_TRAIN_ROWS)
        return train, complete[complete["as_of_month"] == origin]

    def backtest_origins(self) -> list[pd.Timestamp]:
        return [self.test_month - pd.DateOffset(months=BACKTEST_STEP_MONTHS * k) for k in range(1, BACKTEST_ORIGINS)]


def fit_at_test(job: Job) -> Trained:
    """Fit at the test origin (penalty chosen by CV, calibrated) and measure on the test month.
    The report's backtest holds this origin only; `backtest_at` adds the earlier ones."""
    t0 = time.perf_counter()
    train, test = job.split(job.test_month)
    target, columns, window, test_month = job.target, job.columns, job.window, job.test_month
    if train.empty or test.empty or train[target].nunique() < 2:
        raise ValueError(f"{job.name}: not enough complete history before {test_month:%Y-%m} to train")
    model, p = _fit_and_test(job.pipeline(), train, test, columns, target)
    chosen_c = model.named_steps["classifier"].C_
    y = test[target].to_numpy().astype(int)
    # The model quality page's drivers: each column's mean |share of the logit| on the test rows.
    shares = contributions(model, test[columns]).drop(columns=[BASELINE]).abs().mean()
    drivers = {str(k): round(float(v), 6) for k, v in shares.sort_values(ascending=False).items()}
    report = {
        "test_as_of": f"{test_month:%Y-%m}",
        "train_as_of": f"≤ {(test_month - pd.DateOffset(months=window)):%Y-%m}",
        "train_rows": len(train),
        "train_months": int(train["as_of_month"].nunique()),
        "window_months": window,
        "C": chosen_c,
        **evaluate(y, p),
    }
    if job.truth is not None:
        joined = test[["account_id"]].assign(p=p, y=y).merge(job.truth, on="account_id", how="inner")
        on_truth = evaluate(joined["y"], joined["p"])
        truth_eval = evaluate(joined["y"], joined["truth_probability"].clip(0, 1))
        report["auc_all_rows"] = report["auc"]
        report["auc"] = on_truth["auc"]
        report["truth_auc"] = truth_eval["auc"]
        report["truth_pr_auc"] = truth_eval["pr_auc"]
        report["truth_rows"] = len(joined)
    report["fit_seconds"] = time.perf_counter() - t0
    report["drivers"] = drivers
    report["backtest"] = [
        {
            "as_of": report["test_as_of"],
            "auc": report.get("auc_all_rows", report["auc"]),
            "pr_auc": report["pr_auc"],
            "lift_top_decile": report["lift_top_decile"],
            "brier": report["brier"],
            "rows": report["rows"],
        }
    ]
    # The model kept is the one evaluated: its figures are the figures of what scores accounts.
    return Trained(job.name, model, job.numeric, job.categorical, report)


def backtest_at(job: Job, chosen_c: float, origin: pd.Timestamp) -> dict | None:
    """The backtest figures at an earlier origin: a fit with the penalty chosen at the test
    origin on what was known then, measured on that month. None when the origin lacks data."""
    train, test = job.split(origin)
    target = job.target
    if train.empty or test.empty or train[target].nunique() < 2 or test[target].nunique() < 2:
        return None
    fixed = job.pipeline().set_params(classifier__Cs=(chosen_c,))
    fitted, p = _fit_and_test(fixed, train, test, job.columns, target)
    scores = evaluate(test[target].astype(int), p)
    return {
        "history": history.backtest_scores(fitted, job, origin, BACKTEST_STEP_MONTHS),  # popped: not in the report
        "as_of": f"{origin:%Y-%m}",
        "auc": scores["auc"],
        "pr_auc": scores["pr_auc"],
        "lift_top_decile": scores["lift_top_decile"],
        "brier": scores["brier"],
        "rows": scores["rows"],
    }


def _train_jobs(jobs: list[Job], executor, say: Progress, start: float, end: float, scored: list) -> list[Trained]:
    """Fit every job and its backtest origins on the executor's workers. The test-origin fits
    go first; each one's backtest fits are queued as soon as its penalty is known, so that the
    workers stay busy until the last fit (five models over two cores left one idle for long).
    The backtest origins' scores (`history.backtest_scores`) are appended to `scored`."""
    mains = {executor.submit(fit_at_test, job): job for job in jobs}
    backtests: dict = {}
    done_fits = 0
    total_fits = sum(1 + len(job.backtest_origins()) for job in jobs)
    trained: dict[str, Trained] = {}
    pending = set(mains)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            done_fits += 1
            if future in mains:
                job = mains[future]
                result = future.result()
                trained[job.name] = result
                for origin in job.backtest_origins():
                    follow = executor.submit(backtest_at, job, result.report["C"], origin)
                    backtests[follow] = job.name
                    pending.add(follow)
            else:
                row = future.result()
                if row is not None:
                    scored.append(row.pop("history"))
                    trained[backtests[future]].report["backtest"].append(row)
            say(
                f"离网与提升模型 / churn and upsell models ({done_fits}/{total_fits})",
                start + (end - start) * done_fits / total_fits,
            )
    for result in trained.values():
        result.report["backtest"].sort(key=lambda r: r["as_of"])
    return [trained[job.name] for job in jobs]


def train_all(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[dict[str, object], dict]:
    """Train every model on a built warehouse. Returns (models by name, report)."""
    say = progress or (lambda message, fraction: None)
    say("走访纪要模型 / notes model", 0.02)
    # Demo notes are written in phrase groups (one per account) that the notes model's
    # held-out-phrasing figure holds out; a warehouse with the demo's truth tables has them.
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    phrase_group_of = demo_notes.phrase_group_of if "truth_churn" in have else None
    notes_model, notes_report = notes.train_notes_model(
        con, seed=seed, max_notes=MAX_NOTES, phrase_group_of=phrase_group_of
    )
    write_interaction_needs(con, notes_model)
    first, last = feats.month_bounds(con)
    say("经营范围模型 / business scope model", 0.15)
    # Writes scope_scores, read by the features; its labels end at the upsell models' test month,
    # so that nothing it learns comes from the windows they are tested on.
    label_end = as_of or add_months(last, -WINDOWS.adoption_months)
    scope_model, scope_report = scope.train_scope_model(con, seed=seed, label_end=label_end)
    frame = feats.load_frame(con, add_months(first, HISTORY_MONTHS), last, max_accounts=MAX_ACCOUNTS)
    models: dict[str, object] = {"notes": notes_model}
    if scope_model is not None:  # scores, at scoring time, the accounts imported after training
        models["scope"] = scope_model
    report: dict = {"notes": notes_report, "scope": scope_report}

    say("离网与提升模型 / churn and upsell models", 0.2)
    sample = feats.sample_of(con, MAX_ACCOUNTS)  # labels only for the accounts the features hold
    churn = labels.churn_labels(con, WINDOWS.churn_months, sample)
    adoption = labels.adoption_labels(con, WINDOWS.adoption_months, sample)
    keys = ["account_id", "billing_month"]
    jobs: list[Job] = []

    def job(name, label_rows, numeric, categorical, target, window):
        # Only the columns the model reads travel to its worker process.
        data = frame[[*keys, *numeric, *categorical]].merge(
            label_rows[["account_id", "as_of_month", "is_complete", target]],
            left_on=keys,
            right_on=["account_id", "as_of_month"],
        )
        jobs.append(
            Job(
                name,
                data,
                numeric,
                categorical,
                target,
                window,
                as_of,
                seed,
                _truth(con, name, test_month_of(data, as_of).date()),
            )
        )

    job("churn", churn, feats.CHURN_NUMERIC, feats.CHURN_CATEGORICAL, "is_churn", WINDOWS.churn_months)
    for area in AREAS:
        job(
            area,
            adoption[adoption["area"] == area],
            feats.upsell_numeric(area),
            feats.UPSELL_CATEGORICAL,
            "is_adopted",
            WINDOWS.adoption_months,
        )
    # The models are independent: fit them (and their backtests) on all cores; each fit is
    # single-threaded.
    workers = min(len(jobs), os.cpu_count() or 1)

    def run_on(executor) -> None:
        scored: list[pd.DataFrame] = []
        for trained in _train_jobs(jobs, executor, say, 0.25, 0.95, scored):
            models[trained.name] = trained
        history.record_training(con, jobs, models, scored)  # out-of-time scores, for 模型监控
        report["churn"] = models["churn"].report
        report["upsell"] = {area: models[area].report for area in AREAS}
        # The effect of each retention action kind (客户挽留), on the churn model's rows, test
        # month and penalty, its fits on the same workers; writes uplift_scores. (The learner
        # itself is not saved: what it gives, uplift_scores, is.)
        say("挽留措施效果 / retention action effects", 0.96)
        _, report["uplift"] = uplift.train_uplift(
            con,
            frame,
            churn,
            feats.CHURN_NUMERIC,
            feats.CHURN_CATEGORICAL,
            window=WINDOWS.churn_months,
            test_month=jobs[0].test_month,
            C=report["churn"]["C"],
            seed=seed,
            executor=executor,
        )

    if threading.current_thread() is threading.main_thread():
        run_on(get_reusable_executor(max_workers=workers))
    else:  # a background job (analytics/ui/jobs.py): its own pool, shut down when done, so that
        # the process-wide reusable one is never driven from two threads
        with ProcessPoolExecutor(max_workers=workers) as executor:
            run_on(executor)
    say("赢单模型 / win model", 0.98)
    win_model, report["win"] = win.train_win(con, seed=seed, penalties=PENALTIES)  # 商机: issue 15 item 5
    if win_model is not None:
        models["win"] = win_model
    say("完成 / done", 1.0)
    return models, report
