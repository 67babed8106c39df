"""Plain-word reasons from a model's own contributions (SPEC §4: "近3个月收入下降32%").

A reason is a column whose contribution raises this account's score, worded with the account's
own value of that column; the words never decide anything — the contributions do.

This module decides which reason a value gives and with which numbers (`wording`: a key of the
translation table and the values its templates fill in); the words themselves, in Chinese and in
English, are the `account.reason.*` rows of `analytics/common/i18n/account.csv`, the one place a
reason is worded. Scoring stores the Chinese text (`score_reasons.reason`), which the Chinese
pages show as stored; other languages word the reason afresh from the same key and values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analytics.common import i18n
from analytics.common.formats import is_missing

KEY = "account.reason"
MISSING_KEY = f"{KEY}.missing"  # a value the account lacks, for a column without its own words
OTHER_KEY = f"{KEY}.other"  # a column this module has no words for

# A column's value -> (variant of its key, "" for none; the values of its templates).
Wording = Callable[[float], tuple[str, dict[str, object]]]


def _amount(v: float) -> tuple[str, dict[str, object]]:
    return "", {"v": v}


def _count(v: float) -> tuple[str, dict[str, object]]:
    return "", {"n": int(round(v))}


def _share(v: float) -> tuple[str, dict[str, object]]:
    return "", {"pct": abs(v) * 100}


def _rate(v: float) -> tuple[str, dict[str, object]]:
    return "", {"pct": v * 100}


def _change(v: float) -> tuple[str, dict[str, object]]:
    """A relative change, worded by its direction ("…下降32%" / "…上升32%")."""
    return ("down" if v < 0 else "up"), {"pct": abs(v) * 100}


def _flag(v: float) -> tuple[str, dict[str, object]]:
    return ("yes" if v else "no"), {}


WORDINGS: dict[str, Wording] = {
    "revenue_yuan": _amount,
    "revenue_avg_12m_yuan": _amount,
    "revenue_change_1m": _change,
    "revenue_trend_3m": _change,
    "revenue_change_yoy": _change,
    "revenue_from_peak_12m": lambda v: ("down", {"pct": abs(v) * 100}) if v < 0 else ("peak", {}),
    "revenue_volatility_6m": _share,
    "product_count": _count,
    "product_count_change_3m": lambda v: ("down" if v < 0 else "up", {"n": abs(int(v))}),
    "area_count": _count,
    "group_paid_share": _share,
    "member_count": _count,
    "member_change_3m": _change,
    "member_change_6m": _change,
    "member_left_group_rate_3m": _rate,
    "member_left_network_rate_3m": _rate,
    "member_left_group_rate_6m": _rate,
    "member_joined_rate_3m": _rate,
    "member_arpu_yuan": _amount,
    "complaints_3m": _count,
    "complaints_6m": _count,
    "complaints_12m": _count,
    "severe_complaints_6m": _count,
    "urgent_reports_2m": _count,
    "urgent_reports_6m": _count,
    "other_reports_3m": _count,
    "note_competitor_3m": _count,
    "interactions_3m": _count,
    "interactions_12m": _count,
    "tenure_months": lambda v: ("", {"years": v / 12}),
    "months_to_agreement_end": lambda v: ("", {"n": int(v)}) if v > 0 else ("now", {}),
    "has_decision_maker_on_competitor": _flag,
    "is_key_account": _flag,
    "employee_count": _count,
    # the win model's (analytics/models/win.py; words in analytics/common/i18n/win.csv)
    "expected_monthly_yuan": _amount,
    "expected_one_off_yuan": _amount,
    "revenue_3m_avg_yuan": _amount,
    "area_products_held": _count,
    "area_voiced_3m": _count,
    "competitor_reports_6m": _count,
    "owner_closed_count": _count,
    "owner_win_rate": _rate,
    "account_won_before": _count,
    "account_lost_before": _count,
}
# Categorical columns -> the label kind that names their values (analytics/common/i18n/common.csv).
LABELLED: dict[str, str] = {
    "value_class": "class",
    "industry": "industry",
    "ownership": "ownership",
    "area": "area",
}


def wording(column: str, value: object) -> tuple[str, dict[str, object]]:
    """Which reason the account's `value` of `column` gives: the translation key of its words and
    the values they are filled with (language-neutral: a categorical value is its data code)."""
    if is_missing(value):
        own = f"{KEY}.{column}.missing"
        return (own, {}) if own in i18n.table() else (MISSING_KEY, {"feature": column})
    if column in LABELLED:
        return f"{KEY}.{column}", {"value": value}
    if column in WORDINGS:
        variant, values = WORDINGS[column](float(value))
        return f"{KEY}.{column}.{variant}" if variant else f"{KEY}.{column}", values
    return OTHER_KEY, {"feature": column, "value": value}


def phrase(column: str, value: object, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The account's value of `column` as a reason in plain words of `lang` (Chinese by default,
    the words scoring stores)."""
    key, values = wording(column, value)
    if column in LABELLED and "value" in values:
        values = {"label": i18n.label(LABELLED[column], values["value"], lang)}
    return i18n.text(key, lang, **values)


def top_reasons(
    contributions: pd.DataFrame, values: pd.DataFrame, top: int = 3, min_logit: float = 0.05
) -> pd.DataFrame:
    """Long table (row position, rank, feature, contribution, reason) of each row's `top` columns
    that raise its score by at least `min_logit` on the logit scale, strongest first.
    `contributions` and `values` share a default RangeIndex (row positions)."""
    # Imported here: the pages word reasons through `phrase` without loading scikit-learn.
    from analytics.models.family import BASELINE

    shares = contributions.drop(columns=[BASELINE])
    long = shares.stack().rename("contribution").reset_index()
    long.columns = ["row", "feature", "contribution"]
    long = long[long["contribution"] >= min_logit]
    long = long.sort_values(["row", "contribution"], ascending=[True, False])
    long["rank"] = long.groupby("row").cumcount() + 1
    long = long[long["rank"] <= top].reset_index(drop=True)
    # Word each feature's values column-wise (a per-cell DataFrame lookup was most of the time
    # of scoring at province scale).
    reason = np.empty(len(long), dtype=object)
    for feature, positions in long.groupby("feature").indices.items():
        cells = values[feature].to_numpy(dtype=object)[long["row"].to_numpy()[positions]]
        reason[positions] = [phrase(feature, v) for v in cells]
    long["reason"] = reason
    return long
