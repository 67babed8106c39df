"""模型监控 (models watched over time) for the model quality page: each month, the scores made one
label window earlier against what happened, and the drift of the models' inputs.

- Realised figures: the score history (`analytics/models/history.py`: only scores made out of
  time, by a model that knew no outcome after its score month) joined with the labels as known
  now (`analytics/models/labels.py`), for the score months whose window has fully elapsed: per
  model and score month the realised AUC, the mean predicted probability against the observed
  rate, top-decile lift and Brier score (`analytics/models/metrics.evaluate`, the figures training
  reports), and the calibration bins of a month.
- The flag: a model whose latest realised AUC falls below `[monitoring]
  realised_auc_share_of_backtest` of its backtest AUC (the AUC training measured at its test
  origin, on all rows) is flagged for retraining.
- Drift: the population stability index (PSI) of each feature of a model between the newest
  month it was trained on (its test month − its window) and each later month, the numeric
  features binned by that month's deciles, the categorical ones by category; a feature is
  moderate from `psi_moderate`, shifted from `psi_shifted` (rules.toml).

Nothing here refits or rescores a model.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.common.months import add_months
from analytics.config import WINDOWS
from analytics.models import features as feats
from analytics.models import history, labels
from analytics.models.metrics import calibration_bins, evaluate
from analytics.views.model_quality import SCORED_MODELS, model_report
from analytics.warehouse import queries

PSI_EPSILON = 1e-4  # a bin's share is at least this, so that an empty bin gives a finite PSI
PSI_BINS = 10
REALISED_COLUMNS = [
    "model",
    "score_month",
    "outcome_month",
    "source",
    "rows",
    "positives",
    "mean_predicted",
    "observed_rate",
    "auc",
    "lift_top_decile",
    "brier",
]
STATUS_COLUMNS = [
    "model",
    "backtest_auc",
    "threshold_auc",
    "score_month",
    "realised_auc",
    "realised_share",
    "realised_months",
    "is_flagged",
]
DRIFT_COLUMNS = ["model", "feature", "reference_month", "month", "psi"]


def window_of(model: str) -> int:
    """The label window of a model, in months: the horizon its scores are judged at."""
    return WINDOWS.churn_months if model == "churn" else WINDOWS.adoption_months


# ---- realised figures ------------------------------------------------------------------------


def scores(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The score history: model, score_month, account_id, probability, source,
    trained_through_month. Empty when nothing was kept yet."""
    columns = ["model", "score_month", "account_id", "probability", "source", "trained_through_month"]
    if not history.exists(con):
        return pd.DataFrame(columns=columns)
    return queries.run(con, "monitoring_scores")


def outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What happened, as known now, for every as-of month whose label window has fully elapsed:
    model, score_month, account_id, outcome (1: churned / started a product of the area)."""
    churn = labels.churn_labels(con)
    churn = churn[churn["is_complete"]]
    adoption = labels.adoption_labels(con)
    adoption = adoption[adoption["is_complete"]]
    parts = [
        pd.DataFrame(
            {
                "model": model,
                "score_month": rows["as_of_month"].to_numpy(),
                "account_id": rows["account_id"].to_numpy(),
                "outcome": rows[target].astype(int).to_numpy(),
            }
        )
        for model, rows, target in (("churn", churn, "is_churn"), (adoption["area"].to_numpy(), adoption, "is_adopted"))
    ]
    return pd.concat(parts, ignore_index=True)


def judged(scores: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The scores whose outcome is known: scores joined with outcomes on model, score month and
    account (a score without a complete label — its window not elapsed, or the account out of
    the label's population — drops out)."""
    keys = ["model", "score_month", "account_id"]
    left = scores.assign(score_month=pd.to_datetime(scores["score_month"]))
    right = outcomes.assign(score_month=pd.to_datetime(outcomes["score_month"]))
    return left.merge(right[[*keys, "outcome"]], on=keys, how="inner")


def realised(scores: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per model and score month with an elapsed window (REALISED_COLUMNS): outcome_month (the
    score month + the window: when the outcome became known), source (backtest / saved), rows,
    positives, mean_predicted, observed_rate, auc (None with one class only), lift_top_decile,
    brier. Ordered by model (SCORED_MODELS) and month."""
    rows = []
    for (model, month), part in judged(scores, outcomes).groupby(["model", "score_month"], sort=True):
        figures = evaluate(part["outcome"].to_numpy(), part["probability"].to_numpy())
        rows.append(
            {
                "model": model,
                "score_month": month.date(),
                "outcome_month": add_months(month.date(), window_of(model)),
                "source": part["source"].iloc[0],
                "rows": figures["rows"],
                "positives": figures["positives"],
                "mean_predicted": float(part["probability"].mean()),
                "observed_rate": figures["positive_rate"],
                "auc": figures["auc"],
                "lift_top_decile": figures["lift_top_decile"],
                "brier": figures["brier"],
            }
        )
    frame = pd.DataFrame(rows, columns=REALISED_COLUMNS)
    order = {m: i for i, m in enumerate(SCORED_MODELS)}
    frame = frame.sort_values(["model", "score_month"], key=lambda c: c.map(order) if c.name == "model" else c)
    return frame.reset_index(drop=True)


def calibration(scores: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The calibration bins of each model's scores of each judged month (10 equal-count bins by
    predicted probability): model, score_month, bin, mean_predicted, observed_rate, count."""
    columns = ["model", "score_month", "bin", "mean_predicted", "observed_rate", "count"]
    rows = [
        {"model": model, "score_month": month.date(), **b}
        for (model, month), part in judged(scores, outcomes).groupby(["model", "score_month"], sort=True)
        for b in calibration_bins(part["outcome"].to_numpy(float), part["probability"].to_numpy(float))
    ]
    return pd.DataFrame(rows, columns=columns)


def backtest_auc(report: dict[str, Any], model: str) -> float | None:
    """The AUC training measured for `model` at its test origin on all rows (what its realised AUC
    is held against; on demo data the headline AUC is on the rows the truth covers)."""
    own = model_report(report, model)
    at_test = [o for o in own.get("backtest") or [] if o.get("as_of") == own.get("test_as_of")]
    if at_test and at_test[0].get("auc") is not None:
        return float(at_test[0]["auc"])
    value = own.get("auc_all_rows", own.get("auc"))
    return None if value is None else float(value)


def status(realised: pd.DataFrame, report: dict[str, Any], share: float) -> pd.DataFrame:
    """One row per probability model (STATUS_COLUMNS): backtest_auc, threshold_auc (= share ×
    backtest_auc), the latest realised score month with an AUC and that AUC, realised_share
    (realised / backtest), realised_months (months with a realised AUC) and is_flagged: the latest
    realised AUC below the threshold. A model without a realised month is not flagged (nothing
    says it got worse)."""
    rows = []
    for model in SCORED_MODELS:
        if not model_report(report, model):
            continue
        reference = backtest_auc(report, model)
        own = realised[(realised["model"] == model) & realised["auc"].notna()]
        latest = own.iloc[-1] if len(own) else None
        auc = None if latest is None else float(latest["auc"])
        threshold = None if reference is None else share * reference
        rows.append(
            {
                "model": model,
                "backtest_auc": reference,
                "threshold_auc": threshold,
                "score_month": None if latest is None else latest["score_month"],
                "realised_auc": auc,
                "realised_share": auc / reference if auc is not None and reference else None,
                "realised_months": len(own),
                "is_flagged": bool(auc is not None and threshold is not None and auc < threshold),
            }
        )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


# ---- drift -------------------------------------------------------------------------------------


def _shares(codes: np.ndarray, bins: int) -> np.ndarray:
    return np.maximum(np.bincount(codes, minlength=bins) / max(codes.size, 1), PSI_EPSILON)


def psi(reference: pd.Series, current: pd.Series, bins: int = PSI_BINS) -> float:
    """The population stability index of `current` against `reference`: Σ (a − e)·ln(a / e) over
    bins, e and a the bins' shares of the reference and current rows (each at least
    PSI_EPSILON). Numeric values are binned by the reference's deciles (right-closed; tied
    deciles merged), missing values in a bin of their own; other values by category."""
    if pd.api.types.is_numeric_dtype(reference) and pd.api.types.is_numeric_dtype(current):
        ref, cur = reference.to_numpy(float), current.to_numpy(float)
        known = ref[~np.isnan(ref)]
        edges = np.unique(np.quantile(known, np.arange(1, bins) / bins)) if known.size else np.zeros(0)
        count = edges.size + 2  # the bins between the edges, and the missing values'

        def codes(x: np.ndarray) -> np.ndarray:
            return np.where(np.isnan(x), count - 1, np.searchsorted(edges, x, side="left"))

        e, a = _shares(codes(ref), count), _shares(codes(cur), count)
    else:
        ref, cur = reference.astype("string").fillna("<NA>"), current.astype("string").fillna("<NA>")
        categories = pd.Index(sorted(set(ref) | set(cur)))
        e = _shares(categories.get_indexer(ref), len(categories))
        a = _shares(categories.get_indexer(cur), len(categories))
    return float(np.sum((a - e) * np.log(a / e)))


def model_columns(model: str) -> list[str]:
    """The columns `model` reads (numeric then categorical), as the features module names them."""
    if model == "churn":
        return [*feats.CHURN_NUMERIC, *feats.CHURN_CATEGORICAL]
    return [*feats.upsell_numeric(model), *feats.UPSELL_CATEGORICAL]


def reference_month(report: dict[str, Any], model: str) -> pd.Timestamp | None:
    """The newest as-of month `model` was trained on: its test month − its window."""
    test = model_report(report, model).get("test_as_of")
    return None if not test else pd.Timestamp(test) - pd.DateOffset(months=window_of(model))


def drift(frame: pd.DataFrame, report: dict[str, Any]) -> pd.DataFrame:
    """PSI of every feature of every model (DRIFT_COLUMNS) between its reference month and each
    later month of `frame` (account features, `features.load_frame`, one row per account and
    billing_month, the accounts billing that month)."""
    months = pd.to_datetime(frame["billing_month"])
    rows = []
    for model in SCORED_MODELS:
        start = reference_month(report, model)
        if start is None or not (months == start).any():
            continue
        base = frame[months == start]
        for month in sorted(m for m in months.unique() if m > start):
            now = frame[months == month]
            for feature in model_columns(model):
                if feature in frame:
                    rows.append(
                        (model, feature, start.date(), pd.Timestamp(month).date(), psi(base[feature], now[feature]))
                    )
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def drift_frame(con: duckdb.DuckDBPyConnection, report: dict[str, Any]) -> pd.DataFrame:
    """The account features drift is measured on: every month from the earliest reference month
    of the models to the latest, accounts billing in the month (those the models score)."""
    starts = [m for m in (reference_month(report, model) for model in SCORED_MODELS) if m is not None]
    if not starts:
        return pd.DataFrame(columns=["billing_month"])
    last = feats.month_bounds(con)[1]
    frame = feats.load_frame(con, min(starts).date(), last)
    return frame[frame["revenue_yuan"] > 0].reset_index(drop=True)


def level(value: float, moderate: float, shifted: float) -> str:
    """stable / moderate / shifted: a PSI read by the rules' thresholds."""
    return "shifted" if value >= shifted else "moderate" if value >= moderate else "stable"


def drift_table(drift: pd.DataFrame, model: str, moderate: float, shifted: float, top: int = 15) -> pd.DataFrame:
    """The features of `model` by their PSI in the latest month, highest first: feature, psi (the
    latest month's), psi_max (over the months since the reference), month, reference_month and
    level (stable / moderate / shifted, of the latest month)."""
    own = drift[drift["model"] == model]
    columns = ["feature", "psi", "psi_max", "month", "reference_month", "level"]
    if own.empty:
        return pd.DataFrame(columns=columns)
    latest = own[own["month"] == own["month"].max()].set_index("feature")
    table = latest[["psi", "month", "reference_month"]].copy()
    table["psi_max"] = own.groupby("feature")["psi"].max()
    table["level"] = [level(v, moderate, shifted) for v in table["psi"]]
    table = table.reset_index().sort_values(["psi", "feature"], ascending=[False, True], ignore_index=True)
    return table[columns].head(top)
