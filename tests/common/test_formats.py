"""Numbers and dates as people read them (analytics/common/formats.py): the one formatter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.common import formats

ROOT = Path(__file__).resolve().parents[2]
NOTHING = (None, float("nan"), pd.NA, pd.NaT)


def test_amounts():
    assert formats.yuan(1234567.891) == "1,234,568"
    assert formats.yuan(1234.5, 2) == "1,234.50"
    assert formats.wan(123456) == "12.3"
    assert formats.wan(123456789) == "12,345.7"


def test_shares_and_changes():
    assert formats.percent(0.1234) == "12.3%"
    assert formats.percent(0.1234, 0) == "12%"
    assert formats.signed_percent(-0.12) == "-12%"
    assert formats.signed_percent(0.05) == "+5%"
    assert formats.share(3, 12) == "25%"
    assert formats.share(0, 0) == "—"


def test_dates():
    assert formats.date_text(dt.date(2025, 10, 31)) == "2025-10-31"
    assert formats.date_text(pd.Timestamp("2025-10-31 14:05")) == "2025-10-31"
    assert formats.minute_text(dt.datetime(2025, 10, 31, 14, 5, 59)) == "2025-10-31 14:05"


@pytest.mark.parametrize("value", NOTHING)
def test_nothing_to_show_is_a_dash(value):
    assert formats.is_missing(value)
    shown = {formats.yuan(value), formats.wan(value), formats.percent(value), formats.signed_percent(value)}
    assert shown | {formats.date_text(value), formats.minute_text(value)} == {"—"}


def test_zero_is_not_missing():
    assert not formats.is_missing(0.0)
    assert formats.yuan(0) == "0" and formats.percent(0.0) == "0.0%"


def test_number_formatters_are_defined_only_in_common_formats():
    """A page, view or chart formats amounts, shares and dates through analytics.common.formats."""
    helper = re.compile(r"^\s*def (_?wan|yuan|percent|signed_percent|share|date_text|minute_text)\(", re.M)
    inline_wan = re.compile(r"/ 1e4:,\.1f")  # 万元 with one decimal, written out again
    home = ROOT / "analytics" / "common" / "formats.py"
    copies = [
        f"{path.relative_to(ROOT)}: {match[0].strip()}"
        for folder in ("analytics", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != home
        for pattern in (helper, inline_wan)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert copies == []
