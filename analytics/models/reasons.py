"""Plain-word reasons from a model's own contributions (SPEC §4: "近3个月收入下降32%").

A reason is a column whose contribution raises this account's score, worded with the account's
own value of that column; the words never decide anything — the contributions do.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from analytics.models.family import BASELINE


def _pct(value: float) -> str:
    return f"{abs(value) * 100:.0f}%"


def _change(label: str, value: float) -> str:
    return f"{label}{'下降' if value < 0 else '上升'}{_pct(value)}"


def _count(template: str) -> Callable[[float], str]:
    return lambda v: template.format(n=int(round(v)))


PHRASES: dict[str, Callable[[float], str]] = {
    "revenue_yuan": lambda v: f"本月收入{v:,.0f}元",
    "revenue_avg_12m_yuan": lambda v: f"近12个月月均收入{v:,.0f}元",
    "revenue_change_1m": lambda v: _change("本月收入环比", v),
    "revenue_trend_3m": lambda v: _change("近3个月收入较前3个月", v),
    "revenue_change_yoy": lambda v: _change("收入同比", v),
    "revenue_from_peak_12m": lambda v: f"收入较12个月峰值下降{_pct(v)}" if v < 0 else "收入处于12个月峰值",
    "revenue_volatility_6m": lambda v: f"近6个月收入波动{_pct(v)}",
    "product_count": _count("仅使用{n}项产品"),
    "product_count_change_3m": lambda v: f"近3个月{'减少' if v < 0 else '增加'}{abs(int(v))}项产品",
    "area_count": _count("只覆盖{n}个信息化领域"),
    "group_paid_share": lambda v: f"统付收入占比{_pct(v)}",
    "member_count": _count("集团成员{n}人"),
    "member_change_3m": lambda v: _change("成员数较3个月前", v),
    "member_change_6m": lambda v: _change("成员数较半年前", v),
    "member_left_group_rate_3m": lambda v: f"近3个月成员流失率{v * 100:.1f}%",
    "member_left_network_rate_3m": lambda v: f"近3个月成员离网率{v * 100:.1f}%",
    "member_left_group_rate_6m": lambda v: f"近6个月成员流失率{v * 100:.1f}%",
    "complaints_6m": _count("近6个月投诉{n}次"),
    "member_joined_rate_3m": lambda v: f"近3个月成员新增率{v * 100:.1f}%",
    "member_arpu_yuan": lambda v: f"成员人均收入{v:,.1f}元",
    "complaints_3m": _count("近3个月投诉{n}次"),
    "complaints_12m": _count("近12个月投诉{n}次"),
    "severe_complaints_6m": _count("近6个月严重投诉{n}次"),
    "urgent_reports_2m": _count("近2个月竞争对手争抢上报{n}次"),
    "urgent_reports_6m": _count("近6个月竞争对手争抢上报{n}次"),
    "other_reports_3m": _count("近3个月竞争信息上报{n}条"),
    "note_competitor_3m": _count("近3个月走访中{n}次提到竞争对手"),
    "interactions_3m": _count("近3个月接触{n}次"),
    "interactions_12m": _count("近12个月接触{n}次"),
    "tenure_months": lambda v: f"入网{v / 12:.1f}年",
    "months_to_agreement_end": lambda v: f"协议{int(v)}个月后到期" if v > 0 else "协议本月到期",
    "has_decision_maker_on_competitor": lambda v: "决策人使用异网号码" if v else "决策人使用本网号码",
    "is_key_account": lambda v: "重要集团" if v else "非重要集团",
    "employee_count": _count("单位{n}人"),
}
CATEGORY_PHRASES: dict[str, str] = {
    "value_class": "{v}类集团",
    "industry": "行业：{v}",
    "ownership": "单位性质：{v}",
    "size_band": "规模档{v}",
}
MISSING_PHRASES: dict[str, str] = {"months_to_agreement_end": "无在约协议"}


def phrase(column: str, value: object) -> str:
    """The account's value of `column` in plain Chinese words."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING_PHRASES.get(column, f"{column}缺失")
    if column in CATEGORY_PHRASES:
        return CATEGORY_PHRASES[column].format(v=value)
    if column in PHRASES:
        return PHRASES[column](float(value))
    return f"{column} = {value}"


def top_reasons(
    contributions: pd.DataFrame, values: pd.DataFrame, top: int = 3, min_logit: float = 0.05
) -> pd.DataFrame:
    """Long table (row position, rank, feature, contribution, reason) of each row's `top` columns
    that raise its score by at least `min_logit` on the logit scale, strongest first.
    `contributions` and `values` share a default RangeIndex (row positions)."""
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
