"""Month arithmetic (analytics/common/months.py): the one place a month is added or bounded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from analytics.common.months import add_months, after_day, day_end, day_start, month_end, month_start

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 1)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 1)),
        (dt.date(2025, 1, 1), -1, dt.date(2024, 12, 1)),
        (dt.date(2025, 3, 1), -12, dt.date(2024, 3, 1)),
        (dt.date(2025, 3, 1), -27, dt.date(2022, 12, 1)),
        (dt.date(2025, 3, 9), 0, dt.date(2025, 3, 1)),
    ],
)
def test_add_months_gives_the_first_day_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (dt.date(2024, 2, 10), dt.date(2024, 2, 29)),  # leap year
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
        (dt.date(2025, 4, 30), dt.date(2025, 4, 30)),
    ],
)
def test_month_bounds(day, last):
    assert month_start(day) == day.replace(day=1)
    assert month_end(day) == last


def test_day_bounds_cover_the_whole_day_and_nothing_more():
    day = dt.date(2025, 12, 31)
    assert day_start(day) == dt.datetime(2025, 12, 31, 0, 0)
    assert after_day(day) == dt.datetime(2026, 1, 1, 0, 0)
    assert day_start(day) < day_end(day) < after_day(day)
    assert after_day(day) - day_end(day) == dt.timedelta(microseconds=1)


def test_month_arithmetic_is_defined_only_in_common_months():
    """A second copy of a month helper is how one of them gets forgotten (issue 10)."""
    helper = re.compile(r"^\s*def (add_months|month_start|month_end|day_start|day_end|after_day)\(", re.M)
    home = ROOT / "analytics" / "common" / "months.py"
    copies = [
        f"{path.relative_to(ROOT)}: {match[1]}"
        for folder in ("analytics", "pages", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != home
        for match in helper.finditer(path.read_text(encoding="utf-8"))
    ]
    assert copies == []
