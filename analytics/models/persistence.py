"""Model files: a magic line, one line of JSON (versions and training metadata), then the joblib
payload. The header is read and checked before anything is unpickled, so a file of another
scikit-learn version is refused with a retrain message instead of silently changing results.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import sklearn

MAGIC = b"NEEDSMINE-MODEL\n"
# Raised when what a model file pickles changes shape (classes moved or refitted differently):
# a file of another format is refused with a retrain message rather than unpickled into surprises.
# 2: the house issue moved the notes model's classes and the bases check their input columns.
FORMAT = 2


class ModelFileError(ValueError):
    """The file is not a needsmine model file."""


class ModelVersionError(ModelFileError):
    """The model file was written under another scikit-learn version."""


def save_model(obj: Any, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write `obj` with `metadata`, the scikit-learn and Python versions and the time.

    The file is a magic line, one line of JSON (the metadata), then the joblib payload: the
    versions can be read without unpickling anything.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        **metadata,
        "format": FORMAT,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write(MAGIC)
            f.write(json.dumps(header, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
            joblib.dump(obj, f)
        tmp.replace(path)  # a reader never sees a half-written model
    finally:
        tmp.unlink(missing_ok=True)
    return path


def is_current(path: str | Path) -> bool:
    """Whether `path` is a model file that `load_model` accepts: present, of this format and of the
    installed scikit-learn version (read from the header, nothing unpickled)."""
    try:
        header = read_metadata(path)
    except (OSError, ModelFileError):
        return False
    return header.get("format") == FORMAT and header.get("sklearn_version") == sklearn.__version__


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The metadata of a model file, without loading the model."""
    with Path(path).open("rb") as f:
        return _read_header(f, path)


def _read_header(f, path: str | Path) -> dict[str, Any]:
    if f.read(len(MAGIC)) != MAGIC:
        raise ModelFileError(f"{path}: 不是 needsmine 模型文件 / not a needsmine model file")
    try:
        return json.loads(f.readline().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path}: 模型文件头损坏 / damaged model file header ({e})") from e


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """(model, metadata) from a file of `save_model`.

    Raises `ModelVersionError` when the file was written under another scikit-learn version
    (unpickling estimators across versions is unsupported and can silently change results).
    """
    with Path(path).open("rb") as f:
        metadata = _read_header(f, path)
        if metadata.get("format") != FORMAT:
            raise ModelVersionError(
                f"{path}: 模型文件格式已过期，请重新训练 (needsmine train) / the model file is of an older "
                "format; retrain it with `needsmine train`"
            )
        saved = metadata.get("sklearn_version")
        if saved != sklearn.__version__:
            raise ModelVersionError(
                f"{path}: 模型由 scikit-learn {saved} 训练，当前安装的是 {sklearn.__version__}，"
                f"请重新训练 (needsmine train) / the model was trained with scikit-learn "
                f"{saved} but {sklearn.__version__} is installed; retrain it with "
                "`needsmine train`"
            )
        return joblib.load(f), metadata
