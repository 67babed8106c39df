"""Numbers and dates as people read them on the pages, in the proposal and in charts: the one
place an amount, a share or a date is turned into text. The same in both languages (the units
are in the translated labels, never in these strings); a value with nothing to show is "—".
"""

from __future__ import annotations

import math

import pandas as pd

MISSING = "—"


def is_missing(value: object) -> bool:
    """True for a value with nothing to show: None, pandas' NA or NaT, or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def yuan(value: float | None, digits: int = 0) -> str:
    """An amount of yuan with thousands separators: "12,345" (with `digits` decimals)."""
    return MISSING if is_missing(value) else f"{float(value):,.{digits}f}"


def wan(value: float | None) -> str:
    """An amount of yuan in 万元 (10,000 yuan) with one decimal, as headline figures and chart
    axes show it: 123,456 yuan -> "12.3"."""
    return MISSING if is_missing(value) else f"{float(value) / 1e4:,.1f}"


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> "12.3%" (with `digits` decimals)."""
    return MISSING if is_missing(value) else f"{float(value):.{digits}%}"


def signed_percent(value: float | None, digits: int = 0) -> str:
    """A change as a fraction, as a percentage with its sign: -0.12 -> "-12%", 0.05 -> "+5%"."""
    return MISSING if is_missing(value) else f"{float(value):+.{digits}%}"


def date_text(value: object) -> str:
    """A date or moment as its day: "2025-10-31"."""
    return MISSING if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def minute_text(value: object) -> str:
    """A moment to the minute: "2025-10-31 14:05"."""
    return MISSING if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def share(part: float, whole: float) -> str:
    """`part` of `whole` as a whole percentage: 3 of 12 -> "25%" ("—" when `whole` is 0)."""
    return percent(part / whole, 0) if whole else MISSING
