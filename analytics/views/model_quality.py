"""What the model quality page shows, read from what training recorded: `<db>.models/report.json`
(figures at the test origin, calibration bins, rolling-origin backtest, drivers), the model files'
metadata and the warehouse's `model_runs` table. Nothing here refits or rescores a model.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import config
from analytics.config import AREAS
from analytics.models import registry
from analytics.models.notes.text import AREA_MARKS
from analytics.models.persistence import ModelFileError, load_model
from analytics.warehouse import db, queries

SCORED_MODELS: tuple[str, ...] = ("churn", *AREAS)  # the probability models; "notes" is a text model
MODELS: tuple[str, ...] = (*SCORED_MODELS, "notes", "scope")  # scope: the business scope → needs model
SUMMARY_COLUMNS = [
    "model",
    "auc",
    "pr_auc",
    "lift_top_decile",
    "brier",
    "ece",
    "truth_auc",
    "truth_ratio",
    "test_as_of",
    "train_as_of",
    "train_rows",
    "train_months",
    "rows",
    "positives",
    "positive_rate",
    "window_months",
]


@dataclass(frozen=True)
class Training:
    """When and on what the models were trained."""

    trained_at: str | None
    warehouse: str | None
    models_dir: str
    seed: int | None
    sklearn_version: str | None
    python_version: str | None


def models_dir(db_path: str | Path) -> Path:
    return config.models_dir(Path(db_path))


def read_report(folder: Path) -> dict[str, Any] | None:
    """The report of the last training (report.json), or None when the models were never trained."""
    path = folder / "report.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def training(folder: Path, report: dict[str, Any]) -> Training:
    """The training run's metadata: the report's, completed by a model file's header (versions)."""
    header: dict[str, Any] = {}
    with contextlib.suppress(OSError, ModelFileError):  # the report alone still says when and where
        header = registry.metadata_of(folder, "churn")
    return Training(
        trained_at=str(report.get("trained_at") or header.get("trained_at") or "") or None,
        warehouse=report.get("warehouse") or header.get("warehouse"),
        models_dir=str(folder),
        seed=report.get("seed", header.get("seed")),
        sklearn_version=header.get("sklearn_version"),
        python_version=header.get("python_version"),
    )


def model_report(report: dict[str, Any], model: str) -> dict[str, Any]:
    """The report of one model: churn, an area (upsell), notes or scope."""
    if model in ("churn", "notes", "scope"):
        return report.get(model) or {}
    return (report.get("upsell") or {}).get(model) or {}


def summary(report: dict[str, Any]) -> pd.DataFrame:
    """One row per probability model with its test figures (SUMMARY_COLUMNS). On demo data
    truth_auc is the AUC of the generator's own probabilities on the same rows, and truth_ratio
    = auc / truth_auc (how much of the knowable signal the model finds)."""
    rows = []
    for model in SCORED_MODELS:
        own = model_report(report, model)
        if not own:
            continue
        row = {column: own.get(column) for column in SUMMARY_COLUMNS}
        row["model"] = model
        auc, truth = own.get("auc"), own.get("truth_auc")
        row["truth_ratio"] = auc / truth if auc is not None and truth else None
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def calibration(report: dict[str, Any], model: str) -> pd.DataFrame:
    """The calibration bins at the test origin: bin, mean_predicted, observed_rate, count."""
    bins = model_report(report, model).get("calibration") or []
    return pd.DataFrame(bins, columns=["bin", "mean_predicted", "observed_rate", "count"])


def backtest(report: dict[str, Any], model: str) -> pd.DataFrame:
    """The figures per rolling origin (the test origin last): as_of, auc, pr_auc,
    lift_top_decile, brier, rows."""
    origins = model_report(report, model).get("backtest") or []
    return pd.DataFrame(origins, columns=["as_of", "auc", "pr_auc", "lift_top_decile", "brier", "rows"])


def feature_parts(feature: str) -> tuple[str, str | None]:
    """A feature's name with its area taken out, and the area: `need_basic_comm_6m` →
    (`need_area_6m`, `basic_comm`). Names of features without an area come back as they are."""
    for area in AREAS:
        if area in feature:
            return feature.replace(area, "area", 1), area
    return feature, None


def drivers(report: dict[str, Any], model: str, top: int | None = None) -> pd.DataFrame | None:
    """The model's columns by mean |contribution to the logit| on the test rows, largest first:
    feature, name_key (the feature with its area taken out), area, mean_abs_contribution and
    share (of the sum over columns). None when training did not record drivers."""
    recorded = model_report(report, model).get("drivers")
    if not recorded:
        return None
    frame = pd.DataFrame(list(recorded.items()), columns=["feature", "mean_abs_contribution"])
    frame = frame.sort_values("mean_abs_contribution", ascending=False, ignore_index=True)
    frame["share"] = frame["mean_abs_contribution"] / frame["mean_abs_contribution"].sum()
    parts = [feature_parts(f) for f in frame["feature"]]
    frame.insert(1, "name_key", [p[0] for p in parts])
    frame.insert(2, "area", [p[1] for p in parts])
    return frame.head(top) if top else frame


def notes_summary(report: dict[str, Any]) -> pd.DataFrame:
    """The notes model's figures per area: area, precision, recall, f1 (held-out phrasing: notes
    phrased in ways training never saw), precision_same, recall_same, f1_same (held-out accounts,
    phrasing seen in training), support (held-out-phrasing notes), threshold."""
    notes = model_report(report, "notes")
    thresholds = notes.get("refit_thresholds") or notes.get("thresholds") or {}
    same = (notes.get("same_phrasing") or {}).get("per_area") or {}
    rows = [
        {
            "area": area,
            "precision": figures.get("precision"),
            "recall": figures.get("recall"),
            "f1": figures.get("f1"),
            **{f"{key}_same": (same.get(area) or {}).get(key) for key in ("precision", "recall", "f1")},
            "support": figures.get("support"),
            "threshold": thresholds.get(area),
        }
        for area, figures in (notes.get("per_area") or {}).items()
    ]
    return pd.DataFrame(rows, columns=NOTES_COLUMNS)


NOTES_COLUMNS = [
    "area",
    "precision",
    "recall",
    "f1",
    "precision_same",
    "recall_same",
    "f1_same",
    "support",
    "threshold",
]


def notes_headline(report: dict[str, Any]) -> dict[str, float | int | None]:
    """The notes model's headline figures: macro_f1 (held-out phrasing), macro_f1_same_phrasing,
    no_need_empty_rate (share of no-need notes left with no area, held-out phrasing), micro_f1,
    test_rows (held-out-phrasing notes), same_test_rows (held-out accounts' notes)."""
    notes = model_report(report, "notes")
    phrasing = notes.get("held_out_phrasing") or {}
    return {
        "macro_f1": notes.get("macro_f1"),
        "macro_f1_same_phrasing": notes.get("macro_f1_same_phrasing"),
        "no_need_empty_rate": notes.get("no_need_empty_rate"),
        "micro_f1": notes.get("micro_f1"),
        "test_rows": phrasing.get("test_rows", notes.get("test_rows")),
        "same_test_rows": notes.get("test_rows"),
    }


def notes_terms(folder: Path, top: int = 12, min_length: int = 2) -> pd.DataFrame:
    """The notes model's strongest n-grams per area (coefficient of the area's logistic
    regression on the n-gram's TF-IDF), of at least `min_length` characters: area, rank, term,
    weight. Empty when the model file cannot be read."""
    columns = ["area", "rank", "term", "weight"]
    try:
        model, _ = load_model(registry.path_of(folder, "notes"))
        names = np.asarray(model.pipeline.named_steps["count"].get_feature_names_out(), dtype=object)
        estimators = model.pipeline.named_steps["classify"].estimators_
    except (OSError, ModelFileError, AttributeError, KeyError):
        return pd.DataFrame(columns=columns)
    # Area marks of the alias lexicon are not words (see notes.text.AREA_MARKS): left out.
    marks = set(AREA_MARKS.values())
    long_enough = np.array([len(str(n)) >= min_length and not marks & set(str(n)) for n in names])
    rows = []
    for area, estimator in zip(model.areas, estimators, strict=True):
        weights = np.where(long_enough, estimator.coef_.ravel(), -np.inf)
        for rank, i in enumerate(np.argsort(-weights, kind="stable")[:top], start=1):
            rows.append({"area": area, "rank": rank, "term": str(names[i]), "weight": float(weights[i])})
    return pd.DataFrame(rows, columns=columns)


SCOPE_COLUMNS = ["area", "holdings_auc", "truth_need_auc", "need_auc", "rows", "positives", "top_items"]


def scope_summary(report: dict[str, Any]) -> pd.DataFrame:
    """The business scope model's figures per area (SCOPE_COLUMNS), all on held-out accounts (each
    scored by the fold of a 5-fold split that never saw it): holdings_auc (ranks the accounts that
    hold a product of the area above those that do not), truth_need_auc (demo only: ranks the
    accounts with a latent need of the area above the others; None elsewhere), need_auc (demo
    only, for scale: how well the latent need itself ranks the holders), rows, positives (holders)
    and top_items (the scope items that raise the area most, joined by "；"). Empty when training
    recorded no scope model."""
    areas = (model_report(report, "scope").get("areas") or {}).items()
    rows = [
        {
            "area": area,
            "holdings_auc": own.get("auc"),
            "truth_need_auc": own.get("truth_auc"),
            "need_auc": own.get("need_auc"),
            "rows": own.get("rows"),
            "positives": own.get("positives"),
            "top_items": "；".join(own.get("top_items") or []),
        }
        for area, own in areas
    ]
    return pd.DataFrame(rows, columns=SCOPE_COLUMNS)


def scope_headline(report: dict[str, Any]) -> dict[str, Any]:
    """accounts, folds, label_end, skipped (why no model was fitted, or None) and the mean over
    areas of holdings_auc and truth_need_auc (None when no area has it)."""
    own = model_report(report, "scope")
    per_area = scope_summary(report)

    def mean(column: str) -> float | None:
        values = per_area[column].dropna()
        return float(values.mean()) if len(values) else None

    return {
        "accounts": own.get("accounts"),
        "folds": own.get("folds"),
        "label_end": own.get("label_end"),
        "skipped": own.get("skipped"),
        "holdings_auc": mean("holdings_auc"),
        "truth_need_auc": mean("truth_need_auc"),
    }


def runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every training run recorded in the warehouse: trained_at, model, test_as_of, auc,
    truth_auc (newest first). Empty when nothing was trained."""
    columns = ["trained_at", "model", "test_as_of", "auc", "truth_auc"]
    if "model_runs" not in db.existing_tables(con):
        return pd.DataFrame(columns=columns)
    return queries.run(con, "model_quality_runs")
