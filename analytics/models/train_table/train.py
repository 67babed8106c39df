"""`needsmine train-table`: bring your own features (SPEC §4).

An analyst's wide account-level table with one binary target is read (`table_read`), its
columns typed and identifiers excluded (`table_prepare`), the model family cross-validated
(stratified 5-fold, out-of-fold probabilities, `metrics.evaluate`), then fitted on all rows;
with --out every row is scored with the model's own top reasons.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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
from analytics.models.train_table.read import BadTableInput, read_table
from analytics.models.train_table.reasons import importance, top_reasons
from analytics.models.train_table.report import format_report

EXIT_OK, EXIT_BAD_INPUT = 0, 2
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
    models = {
        kind: make_pipeline(prepared.numeric, prepared.categorical, kind=kind, seed=seed)
        for kind in kinds
    }
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


def add_train_table_parser(subparsers) -> argparse.ArgumentParser:
    """Add `train-table` to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "train-table",
        help="bring your own features: cross-validate and score a wide table with a binary target",
        description=(
            "Train the needsmine model family on your own account-level table (CSV in UTF-8/GBK/"
            "GB18030, XLSX or Parquet): one row per account, any numeric and categorical "
            "columns, one binary target (yes/no, 是/否, true/false, 1/0, -1/1). Identifier "
            "columns are excluded automatically. Reports 5-fold cross-validated AUC, PR-AUC, "
            "top-decile lift, Brier score and calibration; --out scores every row with the "
            "top 3 reasons. Exit status 2 on bad input."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the table (.csv, .xlsx, .parquet)")
    parser.add_argument("--target", required=True, metavar="COL", help="the binary target column")
    parser.add_argument(
        "--id",
        dest="id_column",
        metavar="COL",
        help="identifier column: excluded from features, written to --out",
    )
    parser.add_argument(
        "--positive",
        metavar="VALUE",
        help="the target value that counts as positive (default: yes/是/true/1/"
        "the larger number, else the rarer value)",
    )
    parser.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default=DEFAULT_MODEL,
        help="additive (exact reasons), boosted, or auto: cross-validate both and "
        f"take boosted only if its AUC is ≥{AUTO_MARGIN} higher "
        f"(default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--out",
        metavar="SCORED.csv",
        help="score every row of FILE (rows without a target too): id column or row number "
        "(1 = first data row), probability, top 3 reasons (UTF-8 with BOM, opens in Excel)",
    )
    parser.add_argument(
        "--report", metavar="REPORT.txt", help="also write the readable report here"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and models")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def run_train_table(args: argparse.Namespace) -> int:
    """The `train-table` command: 0 on success, 2 on bad input (message on stderr)."""
    t0 = time.perf_counter()

    def progress(message: str) -> None:
        if not getattr(args, "quiet", False):
            print(f"[{time.perf_counter() - t0:6.1f}s] {message}", file=sys.stderr, flush=True)

    out = Path(args.out) if getattr(args, "out", None) else None
    report_path = Path(args.report) if getattr(args, "report", None) else None
    for target_file in (out, report_path):
        if target_file is not None and not target_file.parent.is_dir():
            print(f"{target_file}: 目录不存在 / directory does not exist", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        result = train_table(
            Path(args.file), args.target,
            id_column=getattr(args, "id_column", None), positive=getattr(args, "positive", None),
            model=getattr(args, "model", DEFAULT_MODEL), seed=getattr(args, "seed", 0),
            score=out is not None, progress=progress,
        )  # fmt: skip
    except BadTableInput as e:
        print(f"needsmine train-table: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if out is not None:
        try:
            result.scored.to_csv(out, index=False, encoding="utf-8-sig")
        except OSError as e:
            print(f"{out}: 无法写入 / cannot write: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
        result.summary["out"] = str(out)
        result.summary["out_rows"] = len(result.scored)
    text = format_report(result.summary)
    if report_path is not None:
        report_path.write_text(text + "\n", encoding="utf-8")
    if getattr(args, "json", False):
        print(json.dumps(result.summary, ensure_ascii=False, default=_json_default))
    else:
        print(text)
    return EXIT_OK


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
