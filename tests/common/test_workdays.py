"""Chinese working days and the urgent-report deadline on known dates of the 2025 and 2026
official schedules (State Council notices: 2025 National Day 10-01…10-08 off with 09-28 Sunday
and 10-11 Saturday worked; Spring Festival 2025 01-28…02-04 off with 01-26 Sunday and 02-08
Saturday worked; Spring Festival 2026 02-15…02-23 off with 02-14 and 02-28 Saturdays worked)."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.common import workdays
from analytics.common.workdays import (
    CalendarRangeError,
    deadline,
    is_late,
    is_working_day,
    next_working_day,
    working_days_between,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-01-26", True),  # Sunday, make-up day for Spring Festival 2025
        ("2025-01-28", False),  # Spring Festival eve, holiday
        ("2025-02-04", False),  # last day off
        ("2025-02-08", True),  # Saturday, make-up day
        ("2025-09-28", True),  # Sunday, make-up day for National Day
        ("2025-10-01", False),
        ("2025-10-08", False),  # the eighth day off (Mid-Autumn joins National Day in 2025)
        ("2025-10-11", True),  # Saturday, make-up day
        ("2025-10-12", False),  # an ordinary Sunday
        ("2026-01-04", True),  # Sunday, make-up day for New Year 2026
        ("2026-02-14", True),  # Saturday, make-up day for Spring Festival 2026
        ("2026-02-16", False),  # Spring Festival eve 2026 (a Monday)
        ("2026-02-23", False),  # last day off
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, make-up day
        ("2026-10-07", False),
        ("2026-10-10", True),  # Saturday, make-up day for National Day 2026
    ],
)
def test_official_holidays_and_make_up_days(day, working):
    assert is_working_day(D(day)) is working


def test_holiday_eve_is_due_the_first_working_day_after_the_holiday():
    # Observed on the eve of National Day 2025, late at night: due by the end of 10-09.
    assert deadline(dt.datetime(2025, 9, 30, 23, 40)) == D("2025-10-09")
    assert not is_late(dt.datetime(2025, 9, 30, 23, 40), dt.datetime(2025, 10, 9, 23, 59))
    assert is_late(dt.datetime(2025, 9, 30, 23, 40), dt.datetime(2025, 10, 10, 0, 1))


def test_observed_during_a_holiday_counts_from_the_next_working_day():
    assert deadline(dt.datetime(2025, 10, 3, 10, 0)) == D("2025-10-09")
    assert deadline(D("2026-02-18")) == D("2026-02-24")


def test_a_make_up_saturday_is_a_working_day_for_the_deadline():
    # Friday 2025-02-07 → the make-up Saturday 2025-02-08, not Monday 02-10.
    assert deadline(D("2025-02-07")) == D("2025-02-08")
    assert is_late(D("2025-02-07"), dt.datetime(2025, 2, 10, 9, 0))
    # Friday 2025-01-24 → the make-up Sunday 2025-01-26.
    assert deadline(D("2025-01-24")) == D("2025-01-26")
    # Seen on the make-up Saturday 2025-10-11 → the next working day is Monday 10-13.
    assert deadline(D("2025-10-11")) == D("2025-10-13")


def test_spring_festival_2026():
    # Friday 02-13 → the make-up Saturday 02-14; Saturday 02-14 → 02-24 after the nine days off.
    assert deadline(D("2026-02-13")) == D("2026-02-14")
    assert deadline(D("2026-02-14")) == D("2026-02-24")
    assert working_days_between(D("2026-02-13"), D("2026-02-24")) == 2


def test_an_ordinary_friday_is_due_monday():
    assert deadline(dt.datetime(2025, 11, 14, 17, 30)) == D("2025-11-17")
    assert deadline(dt.datetime(2026, 6, 12, 9, 0)) == D("2026-06-15")
    # Filed Monday at any hour: on time. Two working days: Tuesday.
    assert not is_late(dt.datetime(2025, 11, 14, 17, 30), dt.datetime(2025, 11, 17, 22, 0))
    assert deadline(D("2025-11-14"), 2) == D("2025-11-18")


def test_next_working_day_and_counting():
    assert next_working_day(D("2025-09-30")) == D("2025-10-09")
    assert next_working_day(dt.datetime(2025, 9, 27, 8, 0)) == D("2025-09-28")
    assert working_days_between(D("2025-09-30"), D("2025-10-09")) == 1
    # (09-26, 10-12]: Sunday 09-28 (make-up), 09-29, 09-30, 10-09, 10-10, Saturday 10-11 (make-up)
    assert working_days_between(D("2025-09-26"), D("2025-10-12")) == 6
    assert working_days_between(D("2025-10-09"), D("2025-09-30")) == -1
    assert working_days_between(D("2025-10-09"), D("2025-10-09")) == 0


def test_both_2025_and_2026_are_known_and_a_later_year_is_a_clear_error():
    first, last = workdays.known_years()
    assert first <= 2025 and last >= 2026
    with pytest.raises(CalendarRangeError, match=str(last + 1)):
        is_working_day(dt.date(last + 1, 3, 2))
    with pytest.raises(CalendarRangeError, match="chinesecalendar"):
        deadline(dt.date(last, 12, 31))  # the next working day lies in a year not yet published
