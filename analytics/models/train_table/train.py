"""Bring your own features (SPEC §4): the modelling behind `needsmine train-table`
(its command line is `analytics.cli.train_table`).

An analyst's wide account-level table with one binary target is read (`read`), its columns
typed and identifiers excluded (`prepare`), the model family cross-validated (stratified
5-fold, out-of-fold probabilities, `metrics.evaluate`), then fitted on all rows; with `score`
every row is scored with the model's own top reasons (`reasons`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from analytics.models.family import make_pipeline
from analytics.models.metrics import evaluate
from analytics.models.train_table.prepare import Prepared, prepare_table
from analytics.models.train_table.read import read_table
from analytics.models.train_table.reasons import importance, top_reasons

FOLDS = 5
MODEL_CHOICES = ("auto", "additive", "boosted")
DEFAULT_MODEL = "auto"
# Under --model auto the boosted trees must beat the additive model's out-of-fold AUC by this
# much to be chosen: the additive model's exact reasons are worth a small margin of AUC.
AUTO_MARGIN = 0.005
# Below this many cells, starting worker processes costs more than it saves.
PARALLEL_MIN_CELLS = 100_000

MODEL_FIGURES = ("auc", "pr_auc", "lift_top_decile", "brier", "ece")
SUMMARY_FIGURES = (*MODEL_FIGURES, "rows", "positives", "positive_rate", "calibration")
MODEL_DESCRIPTIONS = {
    "additive": "可加样条逻辑回归 + Platt 校准 / additive spline logistic regression, "
    "Platt-calibrated (exact per-column reasons)",
    "boosted": "梯度提升树 / histogram gradient boosting (no per-column reasons)",
}


@dataclass
class TableResult:
    summary: dict[str, Any]  # the JSON object of --json
    prepared: Prepared
    model: Pipeline
    scored: pd.DataFrame | None


def _fold_probabilities(model: Pipeline, X: pd.DataFrame, y: np.ndarray, train, test) -> np.ndarray:
    fitted = clone(model).fit(X.iloc[train], y[train])
    return fitted.predict_proba(X.iloc[test])[:, 1]


def _is_small(X: pd.DataFrame) -> bool:
    return X.shape[0] * X.shape[1] < PARALLEL_MIN_CELLS


def cross_validated(
    prepared: Prepared, kinds: list[str], seed: int = 0, n_jobs: int | None = None
) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of each model kind, by stratified 5-fold CV (shuffled, seeded)."""
    X, y = prepared.X, prepared.y
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(X, y))
    models = {kind: make_pipeline(prepared.numeric, prepared.categorical, kind=kind, seed=seed) for kind in kinds}
    tasks = [(kind, i) for kind in kinds for i in range(len(folds))]
    if n_jobs is None:
        n_jobs = 1 if _is_small(X) else min(len(tasks), os.cpu_count() or 1)
    # One thread per fit: worker processes get that from joblib; in this process, BLAS and
    # OpenMP threads on small data only wait for each other (a boosted fit on 800 rows took
    # 70 s instead of 1 s on a busy 2-core machine).
    with threadpool_limits(limits=1):
        results = Parallel(n_jobs=n_jobs)(
            delayed(_fold_probabilities)(models[kind], X, y, *folds[i]) for kind, i in tasks
        )
    oof = {kind: np.zeros(len(y)) for kind in kinds}
    for (kind, i), p in zip(tasks, results, strict=True):
        oof[kind][folds[i][1]] = p
    return oof


def train_table(
    path: Path,
    target: str,
    *,
    id_column: str | None = None,
    positive: str | None = None,
    model: str = DEFAULT_MODEL,
    seed: int = 0,
    score: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> TableResult:
    """Read, cross-validate, choose, fit and (with `score`) score a table. Raises BadTableInput."""
    if model not in MODEL_CHOICES:
        raise ValueError(f"model must be one of {MODEL_CHOICES}")
    t0 = time.perf_counter()
    progress(f"读取 reading {path}")
    prepared = prepare_table(read_table(path), str(path), target, id_column, positive)
    X, y = prepared.X, prepared.y
    kinds = ["additive", "boosted"] if model == "auto" else [model]
    progress(
        f"{FOLDS} 折交叉验证 {FOLDS}-fold cross-validation: {', '.join(kinds)} "
        f"on {len(y):,} rows × {X.shape[1]} columns"
    )
    oof = cross_validated(prepared, kinds, seed=seed)
    cv = {kind: evaluate(y, p) for kind, p in oof.items()}
    chosen = kinds[0]
    if model == "auto" and cv["boosted"]["auc"] > cv["additive"]["auc"] + AUTO_MARGIN:
        chosen = "boosted"
    progress(f"在全部行上训练 fitting {chosen} on all rows")
    fitted = make_pipeline(prepared.numeric, prepared.categorical, kind=chosen, seed=seed)
    with threadpool_limits(limits=1 if _is_small(X) else None):
        fitted.fit(X, y)
    figures = cv[chosen]
    if model == "auto":
        chosen_by = f"--model auto: the higher out-of-fold AUC; boosted needs +{AUTO_MARGIN}"
    else:
        chosen_by = f"--model {model}"
    summary: dict[str, Any] = {
        "file": str(path),
        "target": prepared.target,
        "positive": prepared.positive,
        "negative": prepared.negative,
        **{key: figures[key] for key in SUMMARY_FIGURES},
        "dropped_missing_target": prepared.dropped_missing_target,
        "features": prepared.features,
        "excluded": prepared.excluded,
        "model": {
            "kind": chosen,
            "description": MODEL_DESCRIPTIONS[chosen],
            "chosen_by": chosen_by,
            "cv_folds": FOLDS,
            "seed": seed,
            "cv": {kind: {key: cv[kind][key] for key in MODEL_FIGURES} for kind in kinds},
        },
        "notes": list(prepared.notes),
    }
    if figures["note"]:
        summary["notes"].append(figures["note"])
    if chosen == "additive":
        classifier = fitted.named_steps["classifier"]
        summary["model"]["C"] = classifier.C_
        summary["model"]["platt"] = {"slope": classifier.slope_, "offset": classifier.offset_}
        summary["importance"] = importance(fitted, X)
    scored = None
    if score:
        progress("打分 scoring every row")
        id_name = str(prepared.row_ids.name)
        scored = pd.DataFrame({id_name: prepared.row_ids.to_numpy()})
        scored["probability"] = fitted.predict_proba(prepared.X_all)[:, 1].round(6)
        if chosen == "additive":
            scored = pd.concat([scored, top_reasons(fitted, prepared.X_all, prepared.raw)], axis=1)
        else:
            summary["notes"].append("boosted 模型没有逐列原因 / the boosted model gives no reasons")
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    return TableResult(summary, prepared, fitted, scored)
