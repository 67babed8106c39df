"""The score history (`score_history`): the probabilities the churn and upsell models gave, kept as
they were made, so that each month the scores of one label window earlier can be compared with what
happened (realised AUC, calibration, lift: `analytics/views/monitoring.py`).

`scores` cannot serve: every retraining scores its months again with the new model, which may have
learned from those months' outcomes. The history keeps only scores made *out of time*: by a model
that learned from no outcome after its `trained_through_month`, for a score month on or after it
(the outcome of a score month lies in the months after it). Two writers:

- training (`record_training`): each backtest origin's model scores its origin and the months up to
  the next origin (source `backtest`, trained through its origin: it learned from as-of months
  whose label windows ended by then); the model saved scores its test month and every later month
  (source `saved`). So a fresh warehouse already holds a monthly series of out-of-time scores;
- scoring (`record_scoring`): each month scored, by the saved model (source `saved`), when that
  month is on or after its test month (`needsmine score --as-of` of an older month is in-sample:
  not kept).

A (model, score month) is written once: the first out-of-time scores of a month stay, so a month
scored live keeps the scores people saw.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.config import SQL_DIR
from analytics.warehouse import db, queries

COLUMNS = ["model", "score_month", "account_id", "probability", "source", "trained_through_month"]
TABLE_SQL = SQL_DIR / "outputs" / "score_history.sql"


def _months(values: pd.Series) -> pd.Series:
    """Dates, timestamps or "YYYY-MM" texts as the first day of their month (datetime64)."""
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def record(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> int:
    """Append `rows` (COLUMNS) to `score_history`: only the out-of-time ones (score_month ≥
    trained_through_month) of the (model, score month) pairs the history does not hold yet.
    Returns the rows added."""
    if rows.empty:
        return 0
    rows = rows[COLUMNS].copy()
    for column in ("score_month", "trained_through_month"):
        rows[column] = _months(rows[column].astype(str) if rows[column].dtype == object else rows[column])
    rows = rows[rows["score_month"] >= rows["trained_through_month"]]
    con.execute(TABLE_SQL.read_text(encoding="utf-8"))
    held = queries.run(con, "score_history_months")
    if not held.empty:
        held = held.assign(score_month=_months(held["score_month"]), held=True)
        rows = rows.merge(held, on=["model", "score_month"], how="left")
        rows = rows[rows["held"].isna()].drop(columns="held")
    if rows.empty:
        return 0
    rows["recorded_at"] = pd.Timestamp.now().floor("s")
    with con.cursor() as cur:
        cur.register("_history", pa.Table.from_pandas(rows, preserve_index=False))
        cur.execute("insert into score_history by name select * from _history")
    return len(rows)


def scores_of(model, columns: list[str], rows: pd.DataFrame, name: str, source: str, through) -> pd.DataFrame:
    """The history rows of `model` (a fitted pipeline) scoring `rows` (account_id, as_of_month and
    the model's columns): COLUMNS, trained through month `through`."""
    p = model.predict_proba(rows[columns])[:, 1] if len(rows) else np.zeros(0)
    return pd.DataFrame(
        {
            "model": name,
            "score_month": pd.to_datetime(rows["as_of_month"]).to_numpy(),
            "account_id": rows["account_id"].to_numpy(),
            "probability": p,
            "source": source,
            "trained_through_month": pd.Timestamp(through),
        }
    )


def backtest_scores(model, job, origin: pd.Timestamp, months: int) -> pd.DataFrame:
    """A backtest origin's model scoring its origin and the `months` − 1 months after it (until the
    next origin), out of time: it learned only from labels complete by `origin`."""
    month = pd.to_datetime(job.data["as_of_month"])
    rows = job.data[(month >= origin) & (month < origin + pd.DateOffset(months=months))]
    return scores_of(model, job.columns, rows, job.name, "backtest", origin)


def record_training(con: duckdb.DuckDBPyConnection, jobs: list, models: dict, backtests: list[pd.DataFrame]) -> int:
    """After training: the backtest origins' scores (`backtests`, from `backtest_scores`) and the
    saved models' scores of their test month and every month after it. Returns the rows added."""
    parts = list(backtests)
    for job in jobs:
        month = pd.to_datetime(job.data["as_of_month"])
        rows = job.data[month >= job.test_month]
        parts.append(scores_of(models[job.name].model, job.columns, rows, job.name, "saved", job.test_month))
    parts = [part for part in parts if not part.empty]
    return record(con, pd.concat(parts, ignore_index=True)) if parts else 0


def record_scoring(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, accounts: pd.Series, probabilities: dict[str, tuple]
) -> int:
    """After scoring month `as_of`: each model's probabilities (`probabilities`: name → (the saved
    model's Trained, the probabilities of `accounts`)). Returns the rows added."""
    parts = [
        pd.DataFrame(
            {
                "model": name,
                "score_month": as_of,
                "account_id": accounts.to_numpy(),
                "probability": np.asarray(p, dtype=float),
                "source": "saved",
                "trained_through_month": trained.report["test_as_of"],
            }
        )
        for name, (trained, p) in probabilities.items()
        # a model whose report holds no test month: nothing says its scores are out of time
        if (trained.report or {}).get("test_as_of")
    ]
    return record(con, pd.concat(parts, ignore_index=True)) if parts else 0


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return "score_history" in db.existing_tables(con)
