"""From a raw table to features and a 0/1 target, deciding each column's type and excluding
identifiers, with every decision recorded for the report.

Decisions use the feature columns only — never the target — so making them on all rows
before cross-validation leaks nothing (the one look at the target, `leak_warnings`, only
warns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from analytics.models.family import MIN_CATEGORY_ROWS
from analytics.models.train_table.read import BadTableInput
from analytics.models.train_table.values import (
    DATE_TEXT,
    days_since_epoch,
    normalise_text,
    parse_numbers,
    parse_target,
)

MIN_ROWS = 20
MIN_CLASS_ROWS = 5
NUMERIC_SHARE = 0.95  # a text column is numeric when this share of its non-blank cells parse

# Names that say "identifier": id, *_id, customerID / userId (camel case), 编号, 号码, phone …
ID_NAME = re.compile(
    r"(?:^|[\s_\-.])(?:id|uid|key|msisdn|imsi|imei)$"
    r"|^(?:customer|cust|user|account|acct|subscriber|member|client|group)[\s_\-.]?(?:id|no|number)$"
    r"|^(?:id|编号|号码)|编号$|号码$|账号$|手机号|电话|^phone(?:[\s_\-.]?(?:no|num|number))?$"
    r"|^mobile(?:[\s_\-.]?(?:no|num|number))?$",
    re.IGNORECASE,
)
CAMEL_ID = re.compile(r"[a-z](?:ID|Id)$")
CODE_NAME = re.compile(r"编号|编码|代码|code$", re.IGNORECASE)


@dataclass
class Prepared:
    """Features and 0/1 target, and the record of every decision about the table's columns.

    `X_all`, `raw` and `row_ids` cover every row of the file (rows without a target can still
    be scored); `labelled` marks the rows with a target, which `X` and `y` hold.
    """

    X_all: pd.DataFrame
    raw: pd.DataFrame  # the feature columns' cells as read, for showing values in reasons
    labelled: np.ndarray
    y: np.ndarray
    numeric: list[str]
    categorical: list[str]
    row_ids: pd.Series  # the id column's values, or the data row number (1 = first row)
    target: str
    positive: str
    negative: str
    features: list[dict] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @cached_property
    def X(self) -> pd.DataFrame:
        return self.X_all.loc[self.labelled].reset_index(drop=True)

    @property
    def dropped_missing_target(self) -> int:
        return int((~self.labelled).sum())


def looks_like_id_name(name: str) -> bool:
    return bool(ID_NAME.search(name.strip()) or CAMEL_ID.search(name.strip()))


def _typed(name: str, column: pd.Series) -> tuple[str, pd.Series, str]:
    """(kind, values, detail) where kind is numeric/categorical and values are floats or text."""
    if pd.api.types.is_bool_dtype(column):
        return "numeric", column.astype(float), "true/false → 1/0"
    if pd.api.types.is_numeric_dtype(column):
        return "numeric", pd.to_numeric(column, errors="coerce").astype(float), ""
    if pd.api.types.is_datetime64_any_dtype(column):
        return "numeric", days_since_epoch(column), "日期 date → days since 1970-01-01"
    text = normalise_text(column)
    present = text.notna()
    n_present = int(present.sum())
    if n_present == 0:
        return "categorical", text, ""
    numbers = parse_numbers(text)
    parsed = int(numbers.notna().sum())
    if parsed >= NUMERIC_SHARE * n_present:
        failed = n_present - parsed
        detail = ""
        if failed:
            examples = ", ".join(repr(v) for v in text[present & numbers.isna()].unique()[:3])
            detail = f"{failed:,} 个非数字的值作缺失 non-numbers read as missing: {examples}"
        return "numeric", numbers, detail
    if text[present].str.match(DATE_TEXT).mean() >= NUMERIC_SHARE:
        dates = pd.to_datetime(
            text.str.replace(r"[年月]", "-", regex=True).str.rstrip("日"), errors="coerce", format="mixed"
        )
        return "numeric", days_since_epoch(dates), "日期 date → days since 1970-01-01"
    return "categorical", text, ""


def _exclusion(name: str, kind: str, values: pd.Series) -> tuple[str | None, bool]:
    """(why the column is not a feature or None when it is one, whether it is an identifier)."""
    present = values.dropna()
    n = len(present)
    if n == 0:
        return "空列 empty: all values missing", False
    distinct = present.nunique()
    if distinct == 1 and n == len(values):
        return f"常数列 constant: every value is {present.iloc[0]!r}", False
    if looks_like_id_name(name) and distinct >= 0.5 * n and (kind == "categorical" or _integral(present)):
        return f"ID 列 id-like: name looks like an identifier, {distinct:,} distinct values", True
    if n >= MIN_ROWS and kind == "categorical" and distinct >= 0.9 * n:
        return (
            f"近乎唯一的文本 nearly unique text ({distinct:,} distinct of {n:,}): an identifier?",
            True,
        )
    if n >= MIN_ROWS and kind == "numeric" and distinct >= 0.98 * n and _integral(present):
        digits = np.floor(np.log10(np.abs(present.to_numpy()) + 1))
        monotone = present.is_monotonic_increasing or present.is_monotonic_decreasing
        if monotone or (digits.min() == digits.max() and digits.min() >= 4):
            return (
                f"近乎唯一的整数 nearly unique integers ({distinct:,} distinct of {n:,}): an identifier?",
                True,
            )
    if kind == "categorical" and distinct > 50:
        counts = present.value_counts()
        covered = counts[counts >= MIN_CATEGORY_ROWS].sum() / n
        if covered < 0.5:
            return (
                f"高基数文本 high-cardinality text: {distinct:,} distinct values, only "
                f"{covered:.0%} of rows in values seen ≥{MIN_CATEGORY_ROWS} times"
            ), False
    return None, False


def _integral(values: pd.Series) -> bool:
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        return bool(values.str.fullmatch(r"[A-Za-z]*\d+").all())
    arr = values.to_numpy(dtype=float)
    return bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))


def find_column(frame: pd.DataFrame, name: str, what: tuple[str, str], file: str) -> str:
    """The frame's column called `name` (exactly, else ignoring case and spaces); `what` names
    the column's role in Chinese and English for the error message."""
    if name in frame.columns:
        return name
    key = name.strip().casefold()
    matches = [c for c in frame.columns if c.strip().casefold() == key]
    if len(matches) == 1:
        return matches[0]
    raise BadTableInput(
        f"{file}: 没有{what[0]}列 '{name}' / {what[1]} column '{name}' not found; "
        f"columns: {', '.join(map(str, frame.columns))}"
    )


def leak_warnings(X: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str]) -> list[str]:
    """Columns that on their own nearly separate the target — usually recorded only after the
    outcome (a "churn reason" filled in for churners only, a churn score). They stay in; the
    report says so."""
    out = []
    for column in numeric + categorical:
        s = X[column]
        scores = [s.isna().to_numpy(dtype=float)]
        if column in numeric:
            scores.append(s.fillna(s.median() if s.notna().any() else 0).to_numpy())
        elif s.nunique() <= 50:
            rate = pd.Series(y, index=s.index).groupby(s.fillna("")).transform("mean")
            scores.append(rate.to_numpy())
        aucs = [roc_auc_score(y, v) for v in scores if np.unique(v).size > 1]
        best = max((max(a, 1 - a) for a in aucs), default=0.5)
        if best >= 0.98:
            out.append(
                f"⚠ 列 '{column}' 单独即可区分目标 (AUC {best:.3f})，是否事后才记录？"
                f" / column '{column}' alone separates the target — is it recorded only after "
                "the outcome (leakage)? Drop it from the file if so."
            )
    return out


def prepare_table(
    frame: pd.DataFrame,
    file: str,
    target: str,
    id_column: str | None = None,
    positive: str | None = None,
) -> Prepared:
    """Features, 0/1 target and decisions for `frame`. Raises `BadTableInput`."""
    target = find_column(frame, target, ("目标", "target"), file)
    if id_column is not None:
        id_column = find_column(frame, id_column, ("ID ", "--id"), file)
        if id_column == target:
            raise BadTableInput(f"{file}: --id 与 --target 是同一列 '{target}' / same column")
    frame = frame.reset_index(drop=True)
    labelled, y, pos_label, neg_label = parse_target(frame[target], target, file, positive)
    n_pos = int(y.sum())
    if len(y) < MIN_ROWS or min(n_pos, len(y) - n_pos) < MIN_CLASS_ROWS:
        raise BadTableInput(
            f"{file}: 行数太少 / too few rows to train: {len(y):,} rows with a target in column "
            f"'{target}', {n_pos:,} × {pos_label!r} and {len(y) - n_pos:,} × {neg_label!r}; "
            f"need at least {MIN_ROWS} rows and {MIN_CLASS_ROWS} of each value"
        )
    notes, excluded, features = [], [], []
    dropped = int((~labelled).sum())
    if dropped:
        notes.append(
            f"目标缺失的 {dropped:,} 行不参与训练，但仍会打分 / {dropped:,} rows without a "
            "target are left out of training (and still scored in --out)"
        )
    columns: dict[str, pd.Series] = {}
    numeric, categorical, id_candidates = [], [], []
    for name in frame.columns:
        if name == target:
            continue
        if name == id_column:
            excluded.append({"column": name, "reason": "--id 列 the --id column"})
            continue
        kind, values, detail = _typed(name, frame[name])
        reason, is_id = _exclusion(name, kind, values)
        if reason is not None:
            excluded.append({"column": name, "reason": reason})
            if is_id:
                id_candidates.append(name)
            continue
        if kind == "numeric" and CODE_NAME.search(name) and values.nunique() <= 50:
            kind, values = "categorical", values.map(lambda v: f"{v:g}", na_action="ignore")
            detail = "代码 code → categories"
        columns[name] = values.astype(float) if kind == "numeric" else values.astype(object)
        (numeric if kind == "numeric" else categorical).append(name)
        info = {"column": name, "type": kind, "missing": int(values.isna().sum())}
        if kind == "categorical":
            info["values"] = int(values.nunique())
        if detail:
            info["detail"] = detail
        features.append(info)
    if not columns:
        raise BadTableInput(
            f"{file}: 没有可用的特征列 / no usable feature columns (excluded: "
            + "; ".join(f"{e['column']}: {e['reason']}" for e in excluded)
            + ")"
        )
    id_name = id_column or next((c for c in id_candidates if frame[c].is_unique), None)
    if id_name is not None:
        row_ids = frame[id_name].rename(id_name)
    else:
        row_ids = pd.Series(np.arange(1, len(frame) + 1), name="row")
    prepared = Prepared(
        X_all=pd.DataFrame(columns, index=frame.index),
        raw=frame[list(columns)],
        labelled=labelled,
        y=y,
        numeric=numeric,
        categorical=categorical,
        row_ids=row_ids,
        target=target,
        positive=pos_label,
        negative=neg_label,
        features=features,
        excluded=excluded,
        notes=notes,
    )
    prepared.notes += leak_warnings(prepared.X, y, numeric, categorical)
    return prepared
