"""Chinese working days — official public holidays and make-up working days (调休) — from the
maintained `chinesecalendar` package, and the deadline of an urgent competitor report.

How a deadline is counted (SPEC §6: an urgent poaching report reaches the department within
one working day): the count starts on the calendar day the offer was observed, whatever the
hour and whether or not that day is itself a working day. The report is due by the end of the
n-th working day *after* that day. So an offer seen on a Friday evening is due by the end of
Monday; one seen on 2025-09-30 (the eve of National Day) or during the holiday is due by the
end of 2025-10-09, the first working day after 10-01…10-08; one seen on Friday 2025-02-07 is
due by the end of the make-up Saturday 2025-02-08. A report filed on its due day, at any hour,
is on time; one filed on a later day is late.

`chinesecalendar` carries the State Council's schedule year by year (it knows 2004–2026 in
version 1.11). A day outside what the installed version knows raises `CalendarRangeError`
(never a silent Monday–Friday guess): the fix is to upgrade the package.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.metadata import version

import chinese_calendar
import pandas as pd


class CalendarRangeError(ValueError):
    """The installed chinesecalendar does not know the official holidays of this year yet."""


@cache
def known_years() -> tuple[int, int]:
    """First and last year whose official holidays the installed chinesecalendar knows."""
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return min(years), max(years)


def _range_error(day: dt.date) -> CalendarRangeError:
    first, last = known_years()
    return CalendarRangeError(
        f"{day:%Y-%m-%d}: chinesecalendar {version('chinesecalendar')} 只包含 {first}–{last} 年的法定节假日，"
        f"请升级 (pip install -U chinesecalendar) / the installed chinesecalendar knows official holidays "
        f"for {first}–{last} only; upgrade it to judge working days in {day.year}"
    )


@cache
def is_working_day(day: dt.date) -> bool:
    """True on a Chinese working day: Monday–Friday unless a public holiday, plus the weekend
    days made working days (调休)."""
    first, last = known_years()
    if not first <= day.year <= last:
        raise _range_error(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise _range_error(day) from None


def _as_date(value: dt.date | dt.datetime | pd.Timestamp) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.date() if isinstance(value, dt.datetime) else value


def next_working_day(day: dt.date | dt.datetime) -> dt.date:
    """The first working day strictly after `day`'s calendar date."""
    current = _as_date(day)
    while True:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            return current


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days d with start < d ≤ end (calendar dates); negative when end is before start."""
    a, b = _as_date(start), _as_date(end)
    if b < a:
        return -working_days_between(b, a)
    return sum(is_working_day(a + dt.timedelta(days=k)) for k in range(1, (b - a).days + 1))


def deadline(observed_at: dt.date | dt.datetime, working_days: int = 1) -> dt.date:
    """The last day a report of something observed at `observed_at` is on time: the end of the
    `working_days`-th working day after the observation's calendar day (see the module doc)."""
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    due = _as_date(observed_at)
    for _ in range(working_days):
        due = next_working_day(due)
    return due


def is_late(observed_at: dt.date | dt.datetime, reported_at: dt.date | dt.datetime, working_days: int = 1) -> bool:
    """True when the report was filed on a day after its deadline."""
    return _as_date(reported_at) > deadline(observed_at, working_days)
