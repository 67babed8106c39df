"""What a cell of an analyst's table means: missing-value spellings, numbers written as text,
dates, and the spellings of a binary target."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analytics.models.train_table.read import BadTableInput

MAX_TARGET_VALUES_SHOWN = 10

MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", "#n/a", "#null!", "缺失", "空"}
)
POSITIVE_TOKENS = frozenset(
    {"yes", "y", "true", "t", "是", "有", "churn", "churned", "流失", "离网", "positive", "pos"}
)
NEGATIVE_TOKENS = frozenset(
    {
        "no",
        "n",
        "false",
        "f",
        "否",
        "无",
        "没有",
        "no churn",
        "not churned",
        "non-churn",
        "未流失",
        "未离网",
        "在网",
        "retained",
        "stayed",
        "negative",
        "neg",
    }
)
NEGATION_PREFIX = re.compile(r"^(?:no|not|non|未|不|非|无)[\s_-]*", re.IGNORECASE)

DATE_TEXT = re.compile(r"^\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$")
THOUSANDS = re.compile(r"(?<=\d)[,\s'_](?=\d{3}(?:\D|$))")
CURRENCY = re.compile(r"^[¥$€£]|元$")


def is_missing_text(text: pd.Series) -> pd.Series:
    return text.str.casefold().isin(MISSING_TOKENS)


def normalise_text(column: pd.Series) -> pd.Series:
    """Stripped NFKC text (full-width digits and ％ become ASCII), missing as NA."""
    missing = column.isna()
    text = column.astype(object).where(~missing, "").astype(str)
    wide = ~text.str.isascii()
    if wide.any():  # NFKC only where it can change something: it is the slow step
        text = text.where(~wide, text[wide].str.normalize("NFKC"))
    text = text.str.strip()
    return text.where(~is_missing_text(text))


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers in text: thousands separators, currency signs and a trailing % are allowed
    ("35%" is 0.35); anything else that is not a number (and ±inf) becomes NaN."""
    values = pd.to_numeric(text, errors="coerce").astype(float)
    retry = text.notna() & values.isna()
    if retry.any():  # the regular expressions only for what plain parsing could not read
        s = text[retry].str.replace(CURRENCY, "", regex=True).str.strip()
        percent = s.str.endswith("%").fillna(False).astype(bool)
        s = s.str.removesuffix("%").str.replace(THOUSANDS, "", regex=True)
        cleaned = pd.to_numeric(s, errors="coerce").astype(float)
        values[retry] = cleaned.where(~percent, cleaned / 100)
    return values.where(np.isfinite(values))


def days_since_epoch(dates: pd.Series) -> pd.Series:
    dates = pd.to_datetime(dates, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return (dates - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)


def parse_target(
    column: pd.Series, name: str, file: str, positive: str | None = None
) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(present mask, 0/1 target of the present rows, positive value, negative value)."""
    text = normalise_text(column)
    present = text.notna().to_numpy()
    values = text[present]
    numbers = parse_numbers(values)
    keys = numbers.map(lambda v: f"{v:g}") if numbers.notna().all() and len(values) else values.str.casefold()
    counts = keys.value_counts()
    shown = {}
    for key, count in counts.items():
        shown[values[keys == key].iloc[0]] = int(count)
    if len(counts) != 2:
        listing = ", ".join(f"{v!r} ({c:,})" for v, c in list(shown.items())[:MAX_TARGET_VALUES_SHOWN])
        more = f" … {len(counts) - MAX_TARGET_VALUES_SHOWN} more" if len(counts) > MAX_TARGET_VALUES_SHOWN else ""
        why = (
            "只有一个值 only one value"
            if len(counts) == 1
            else ("没有值 no values" if len(counts) == 0 else f"{len(counts)} 个不同的值 distinct values")
        )
        raise BadTableInput(
            f"{file}: 目标列 '{name}' 不是二值的 / target column '{name}' is not binary: {why}: "
            f"{listing}{more}. Use a yes/no, 是/否, true/false, 1/0 or -1/1 column."
        )
    (k1, c1), (k2, c2) = counts.items()
    label = {k: values[keys == k].iloc[0] for k in (k1, k2)}
    pos = _positive_key(k1, k2, c1, c2, numbers.notna().all())
    if positive is not None:
        wanted = [k for k in (k1, k2) if k == positive.strip().casefold() or label[k] == positive]
        if not wanted:
            raise BadTableInput(
                f"{file}: --positive {positive!r} 不在目标列 '{name}' 中 / is not a value of the "
                f"target column; values: {label[k1]!r}, {label[k2]!r}"
            )
        pos = wanted[0]
    neg = k2 if pos == k1 else k1
    return present, (keys == pos).to_numpy().astype(int), label[pos], label[neg]


def _positive_key(k1: str, k2: str, c1: int, c2: int, numeric: bool) -> str:
    if numeric:
        return k1 if float(k1) > float(k2) else k2
    for a, b in ((k1, k2), (k2, k1)):
        if a in POSITIVE_TOKENS and b in NEGATIVE_TOKENS:
            return a
        if NEGATION_PREFIX.sub("", b) == a and b != a:  # "churn" / "no churn", 流失 / 未流失
            return a
    return k1 if c1 < c2 else k2  # otherwise the rarer value, as churn usually is
