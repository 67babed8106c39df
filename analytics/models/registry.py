"""The trained models of a warehouse: saved beside it, with their metadata, and their reports
recorded in the warehouse (`model_runs`) for the model quality page."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import duckdb

from analytics.common import logs
from analytics.config import AREAS
from analytics.models.family import feature_columns
from analytics.models.persistence import ModelFileError, load_model, read_metadata, save_model

NAMES: tuple[str, ...] = ("notes", "churn", *AREAS)
# Saved when trained, loaded when present. The scope model is optional: a warehouse without business
# scopes trains none, and a models folder of before it was saved has none. Without it scoring keeps
# the scope scores training wrote, so an account imported since reads no scope score of its own
# (the upsell models' imputer gives it the median): `needsmine train` again to have them scored.
OPTIONAL: tuple[str, ...] = ("scope", "win")  # win: none without closed opportunities


def path_of(models_dir: Path, name: str) -> Path:
    return models_dir / f"{name}.joblib"


def save_all(models_dir: Path, models: dict[str, Any], report: dict, metadata: dict[str, Any]) -> None:
    """Save every model with the shared metadata and its own report, and the whole report. An
    optional model this training did not fit (no scopes) is removed: it was fitted on other data."""
    for name, model in models.items():
        own = report["upsell"][name] if name in AREAS else report[name]
        save_model(model, path_of(models_dir, name), {**metadata, "model": name, "report": own})
    for name in OPTIONAL:
        if name not in models:
            path_of(models_dir, name).unlink(missing_ok=True)
    (models_dir / "report.json").write_text(
        json.dumps({**metadata, **report}, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )


def load_all(models_dir: Path) -> tuple[dict[str, Any], dict[str, dict]]:
    """(models by name, metadata by name): every one of NAMES, and those of OPTIONAL present.
    Raises FileNotFoundError naming the missing model."""
    t0 = time.perf_counter()
    models, metadata = {}, {}
    for name in (*NAMES, *OPTIONAL):
        path = path_of(models_dir, name)
        if not path.exists():
            if name in OPTIONAL:
                logs.logger("models").info(
                    "no %s model in %s: its scores stay as training wrote them", name, models_dir
                )
                continue
            raise FileNotFoundError(f"{path}: 模型不存在，请先运行 needsmine train / model not trained yet")
        try:
            models[name], metadata[name] = load_model(path)
            pipeline = getattr(models[name], "model", None)  # the churn and upsell models
            if pipeline is not None:
                feature_columns(pipeline)  # AttributeError for a basis of before NumericBases
        except (AttributeError, ImportError, EOFError) as err:  # pickled by another code version
            raise ModelFileError(
                f"{path}: 模型文件与当前程序版本不符，请重新训练 (needsmine train) / the model file "
                f"does not match this version of needsmine; retrain it ({err})"
            ) from err
    logs.logger("models").info("models loaded from %s in %.1f s", models_dir, time.perf_counter() - t0)
    return models, metadata


def metadata_of(models_dir: Path, name: str) -> dict[str, Any]:
    return read_metadata(path_of(models_dir, name))


def record_run(con: duckdb.DuckDBPyConnection, report: dict, metadata: dict[str, Any]) -> None:
    """Append this training run to `model_runs` (one row per model) in the warehouse."""
    con.execute(
        """
        create table if not exists model_runs (
            trained_at timestamp not null,
            model varchar not null,
            test_as_of varchar,
            auc double,
            truth_auc double,
            report_json varchar not null
        )
        """
    )
    rows = [("churn", report["churn"])] + list(report["upsell"].items())
    for name, own in rows:
        con.execute(
            "insert into model_runs values (?, ?, ?, ?, ?, ?)",
            [
                metadata["trained_at"],
                name,
                own.get("test_as_of"),
                own.get("auc"),
                own.get("truth_auc"),
                json.dumps(own, ensure_ascii=False, default=str),
            ],
        )
    con.execute(
        "insert into model_runs values (?, 'notes', null, null, null, ?)",
        [metadata["trained_at"], json.dumps(report["notes"], ensure_ascii=False, default=str)],
    )
