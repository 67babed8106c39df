"""The win model (商机赢单概率, issue 15 item 5): the probability that an opportunity is won (签约),
from what was known the moment it was opened (`sql/features/win_features.sql`), in the same model
family as the churn and upsell models (`family.make_pipeline`, calibrated, with exact reasons).

Rolling-origin backtest: at origin T the model trains on the opportunities closed before T (their
labels known by then) and is tested on those opened in the BACKTEST_STEP_MONTHS from T on whose
outcome is known; the test origin is the latest whose test opportunities have had TEST_LAG_MONTHS
to close. On the demo the truth (`truth_opportunities`) gives the truth's own AUC on the same rows.
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import numpy as np
import pandas as pd
from sklearn.base import clone

from analytics.common import rules
from analytics.config import SQL_DIR
from analytics.models.family import BASELINE, contributions, make_pipeline
from analytics.models.metrics import evaluate

FEATURE_SQL = SQL_DIR / "features" / "win_features.sql"
NUMERIC: tuple[str, ...] = (
    "expected_monthly_yuan",
    "expected_one_off_yuan",
    "revenue_3m_avg_yuan",
    "product_count",
    "area_products_held",
    "interactions_3m",
    "area_voiced_3m",
    "competitor_reports_6m",
    "complaints_6m",
    "owner_closed_count",
    "owner_win_rate",
    "account_won_before",
    "account_lost_before",
    "is_key_account",
    "employee_count",
    "tenure_months",
)
CATEGORICAL: tuple[str, ...] = ("area", "source", "value_class")
BACKTEST_ORIGINS = 3
BACKTEST_STEP_MONTHS = 3
TEST_LAG_MONTHS = 3  # after the test window, for its opportunities to close
MIN_ROWS = 50  # closed opportunities needed before an origin to fit


def features(con: duckdb.DuckDBPyConnection, before: dt.datetime | None = None) -> pd.DataFrame:
    """Every opportunity opened before `before` (all by default) with its features as of its opening
    and its label (is_closed, is_won)."""
    params = {"won": rules.DEFAULT_PIPELINE.won, "as_of_at": pd.Timestamp(before or "2200-01-01")}
    frame = con.execute(FEATURE_SQL.read_text(encoding="utf-8"), params).df()
    for column in NUMERIC:
        frame[column] = frame[column].astype(float)
    return frame


def _pipeline(seed: int, penalties: tuple[float, ...]):
    return make_pipeline(list(NUMERIC), list(CATEGORICAL), seed=seed).set_params(
        classifier__Cs=penalties, classifier__cv=3
    )


def split(frame: pd.DataFrame, origin: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows: closed before `origin`; test rows: opened in the step from `origin` on, closed."""
    train = frame[frame["is_closed"] & (frame["closed_at"] < origin)]
    until = origin + pd.DateOffset(months=BACKTEST_STEP_MONTHS)
    test = frame[frame["is_closed"] & (frame["opened_at"] >= origin) & (frame["opened_at"] < until)]
    return train, test


def _truth(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    if "truth_opportunities" not in have:
        return None
    return con.execute("select opportunity_id, win_probability as truth_probability from truth_opportunities").df()


def train_win(
    con: duckdb.DuckDBPyConnection, *, seed: int = 0, penalties: tuple[float, ...] = (0.1, 0.3, 1.0)
) -> tuple[object | None, dict]:
    """(Trained win model or None, report). None with report status "no_data" when the warehouse
    holds too few closed opportunities of both outcomes."""
    from analytics.models.training import Trained  # training imports this module

    t0 = time.perf_counter()
    frame = features(con)
    closed = frame[frame["is_closed"]]
    if len(closed) < MIN_ROWS or closed["is_won"].nunique() < 2:
        return None, {"status": "no_data", "closed_rows": len(closed)}
    last = pd.Timestamp(closed["opened_at"].max()).to_period("M").to_timestamp()
    test_origin = last - pd.DateOffset(months=TEST_LAG_MONTHS + BACKTEST_STEP_MONTHS - 1)
    columns = [*NUMERIC, *CATEGORICAL]
    train, test = split(frame, test_origin)
    if len(train) < MIN_ROWS or train["is_won"].nunique() < 2 or test["is_won"].nunique() < 2:
        return None, {"status": "no_data", "closed_rows": len(closed)}
    model = clone(_pipeline(seed, penalties)).fit(train[columns], train["is_won"].astype(int))
    chosen_c = float(model.named_steps["classifier"].C_)
    p = model.predict_proba(test[columns])[:, 1]
    y = test["is_won"].astype(int).to_numpy()
    shares = contributions(model, test[columns]).drop(columns=[BASELINE]).abs().mean()
    report = {
        "status": "ok",
        "test_as_of": f"{test_origin:%Y-%m}",
        "train_rows": len(train),
        "C": chosen_c,
        **evaluate(y, p),
        "drivers": {str(k): round(float(v), 6) for k, v in shares.sort_values(ascending=False).items()},
    }
    truth = _truth(con)
    if truth is not None:
        joined = test[["opportunity_id"]].assign(y=y).merge(truth, on="opportunity_id", how="inner")
        report["truth_auc"] = evaluate(joined["y"], joined["truth_probability"].clip(0, 1))["auc"]
        report["truth_ratio"] = report["auc"] / report["truth_auc"] if report["truth_auc"] else None
    backtest = [{"as_of": report["test_as_of"], "auc": report["auc"], "rows": report["rows"]}]
    for k in range(1, BACKTEST_ORIGINS):
        origin = test_origin - pd.DateOffset(months=BACKTEST_STEP_MONTHS * k)
        tr, te = split(frame, origin)
        if len(tr) < MIN_ROWS or tr["is_won"].nunique() < 2 or te["is_won"].nunique() < 2:
            continue
        fitted = clone(_pipeline(seed, (chosen_c,))).fit(tr[columns], tr["is_won"].astype(int))
        scores = evaluate(te["is_won"].astype(int), fitted.predict_proba(te[columns])[:, 1])
        backtest.append({"as_of": f"{origin:%Y-%m}", "auc": scores["auc"], "rows": scores["rows"]})
    report["backtest"] = sorted(backtest, key=lambda r: r["as_of"])
    aucs = [r["auc"] for r in backtest if r["auc"] is not None]
    report["backtest_auc"] = float(np.mean(aucs)) if aucs else None
    report["fit_seconds"] = time.perf_counter() - t0
    return Trained("win", model, NUMERIC, CATEGORICAL, report), report


def score_open(con: duckdb.DuckDBPyConnection, trained, top: int = 3) -> pd.DataFrame:
    """The win probability of every open opportunity with its top reasons (Chinese words):
    opportunity_id, win_probability, win_reasons."""
    from scipy.special import expit

    from analytics.models.reasons import top_reasons

    frame = features(con)
    live = frame[~frame["is_closed"]].reset_index(drop=True)
    if live.empty:
        return pd.DataFrame({"opportunity_id": [], "win_probability": [], "win_reasons": []})
    X = live[[*trained.numeric, *trained.categorical]]
    parts = contributions(trained.model, X)
    reasons = top_reasons(parts, X.reset_index(drop=True), top=top)
    counts = np.bincount(reasons["row"].to_numpy(), minlength=len(live))
    return pd.DataFrame(
        {
            "opportunity_id": live["opportunity_id"],
            "win_probability": expit(parts.to_numpy().sum(axis=1)),
            "win_reasons": [list(c) for c in np.split(reasons["reason"].to_numpy(), np.cumsum(counts)[:-1])],
        }
    )


def write_scores(con: duckdb.DuckDBPyConnection, trained) -> int:
    """Replace `opportunity_scores` (sql/outputs/opportunity_scores.sql) by the open opportunities'
    win probabilities and reasons; rows written."""
    import pyarrow as pa

    frame = score_open(con, trained)
    frame["scored_at"] = pd.Timestamp.now().floor("s")
    with con.cursor() as cur:
        cur.execute((SQL_DIR / "outputs" / "opportunity_scores.sql").read_text(encoding="utf-8"))
        cur.register("_win", pa.Table.from_pandas(frame, preserve_index=False))
        cur.execute("begin")
        cur.execute("delete from opportunity_scores")
        cur.execute("insert into opportunity_scores by name select * from _win")
        cur.execute("commit")
    return len(frame)
