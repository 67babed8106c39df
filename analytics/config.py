"""The one place that knows paths and settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SQL_DIR = PACKAGE_DIR / "sql"
DEMO_DATA_DIR = PACKAGE_DIR / "warehouse" / "demo" / "data"

DEFAULT_DB = PROJECT_DIR / "data" / "needsmine.duckdb"
DB_ENV = "NEEDSMINE_DB"

# DuckDB would otherwise take 80% of RAM; SPEC §7 asks for a peak below 8 GiB at province scale.
MEMORY_LIMIT_ENV = "NEEDSMINE_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "6GB"

AREAS: tuple[str, ...] = ("basic_comm", "mobile_office", "production_control", "service_marketing")
AREA_LABELS_ZH: dict[str, str] = {
    "basic_comm": "基础通信",
    "mobile_office": "移动办公",
    "production_control": "生产控制",
    "service_marketing": "服务营销",
}


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Warehouse path: an explicit `--db` wins, then `NEEDSMINE_DB`, then `data/needsmine.duckdb`."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return DEFAULT_DB


def models_dir(db: Path) -> Path:
    """Where the models trained on warehouse `db` live: beside it, named after it."""
    return db.with_name(db.stem + ".models")


def memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


IMPORT_SHRINK_ENV = "NEEDSMINE_IMPORT_MAX_SHRINK"
DEFAULT_IMPORT_SHRINK = 0.2


def import_max_shrink() -> float:
    """The share of its rows a month may lose in an import on the import page before the page
    asks for an explicit confirmation (NEEDSMINE_IMPORT_MAX_SHRINK, e.g. 0.2 or 20%; default 20 %)."""
    raw = (os.environ.get(IMPORT_SHRINK_ENV) or "").strip()
    try:
        value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1) if raw else DEFAULT_IMPORT_SHRINK
    except ValueError:
        return DEFAULT_IMPORT_SHRINK
    return value if 0 <= value < 1 else DEFAULT_IMPORT_SHRINK


DEPARTMENT_ENV = "NEEDSMINE_DEPARTMENT"


def operator_department() -> str | None:
    """The operator's department printed in the documents' page header (NEEDSMINE_DEPARTMENT,
    e.g. "中国移动 XX分公司 政企客户部"); None: the text `documents.department` of the i18n table."""
    return (os.environ.get(DEPARTMENT_ENV) or "").strip() or None


@dataclass(frozen=True)
class Windows:
    """As-of windows of SPEC §2 and §4 (labels live in the models' label module)."""

    churn_months: int = 3
    adoption_months: int = 6
    churn_revenue_drop: float = 0.70
    churn_trailing_months: int = 6


WINDOWS = Windows()
