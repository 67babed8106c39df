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

Where a year's official days come from, first found wins:
1. the department's holidays file (`analytics/common/holidays.csv`, or the file `NEEDSMINE_HOLIDAYS`
   names; columns date,kind,name with kind `holiday` or `workday`, lines starting with # are
   comments): a year with any row there is taken from the file alone, as the State Council
   publishes it each November — its holidays off, its make-up working days (调休) on;
2. `chinesecalendar`, for the years the installed version carries (2004–2026 in 1.11);
3. the `holidays` package (country CN) for the statutory holidays of any other year. It does not
   know make-up days a year ahead, so for such a year `calendar_warning` returns a warning to
   show (working days are Monday–Friday less those holidays until the file has the year).
A bad row of the holidays file raises `HolidaysFileError` naming file, line, column and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import chinese_calendar
import pandas as pd

from analytics.common import i18n

HOLIDAYS_ENV = "NEEDSMINE_HOLIDAYS"
DEFAULT_HOLIDAYS_FILE = Path(__file__).with_name("holidays.csv")
KINDS = ("holiday", "workday")


class CalendarRangeError(ValueError):
    """No source knows the working days of this day (kept for callers: since the `holidays`
    fallback every year from 1949 on is answered, with a warning where make-up days are unknown)."""


class HolidaysFileError(CalendarRangeError):
    """A row of the department's holidays file is not a date, kind and name."""


def holidays_file() -> Path:
    """The department's holidays file: `NEEDSMINE_HOLIDAYS`, else the packaged holidays.csv."""
    override = os.environ.get(HOLIDAYS_ENV, "").strip()
    return Path(override) if override else DEFAULT_HOLIDAYS_FILE


@cache
def _file_days(path: Path, mtime: float) -> dict[int, dict[dt.date, bool]]:
    """{year: {date: is_working_day}} of the holidays file (cached per modification time)."""
    days: dict[int, dict[dt.date, bool]] = {}
    if not path.exists():
        return days
    with path.open(encoding="utf-8-sig", newline="") as handle:
        numbered = enumerate(handle, start=1)
        lines = [(n, line) for n, line in numbered if line.strip() and not line.lstrip().startswith("#")]
    rows = list(csv.reader([line for _, line in lines]))
    if not rows:
        return days
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:2] != ["date", "kind"]:
        first = lines[0][0]
        raise HolidaysFileError(
            f"{path}, 第 {first} 行 / line {first}: 表头应为 date,kind,name / the header must be date,kind,name"
        )
    for (line_no, _), row in zip(lines[1:], rows[1:], strict=True):
        where = f"{path}, 第 {line_no} 行 / line {line_no}"
        cells = [cell.strip() for cell in row] + ["", ""]
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            raise HolidaysFileError(f"{where}, date: '{cells[0]}' 不是日期 / not a date (YYYY-MM-DD)") from None
        kind = cells[1].lower()
        if kind not in KINDS:
            raise HolidaysFileError(f"{where}, kind: '{cells[1]}' 应为 holiday 或 workday / must be holiday or workday")
        year = days.setdefault(day.year, {})
        if day in year and year[day] != (kind == "workday"):
            raise HolidaysFileError(f"{where}, date: {day} 既是节假日又是工作日 / both a holiday and a workday")
        year[day] = kind == "workday"
    return days


_looked: list = [None, 0.0, {}]  # (path, monotonic time of the last look, its days)


def file_days() -> dict[int, dict[dt.date, bool]]:
    """The department's holidays file as {year: {date: is_working_day}}; an edit is seen within a
    second (the file's modification time is looked at once a second at most)."""
    path = holidays_file()
    now = time.monotonic()
    if _looked[0] != path or now - _looked[1] > 1.0:
        _looked[:] = [path, now, _file_days(path, path.stat().st_mtime if path.exists() else 0.0)]
    return _looked[2]


@cache
def known_years() -> tuple[int, int]:
    """First and last year whose official holidays the installed chinesecalendar knows."""
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return min(years), max(years)


@cache
def _statutory(year: int) -> frozenset[dt.date]:
    """Statutory holidays of `year` (with their observed days) from the `holidays` package."""
    import holidays

    return frozenset(holidays.country_holidays("CN", years=year))


def source(year: int) -> str:
    """Where the working days of `year` come from: 'file', 'chinesecalendar' or 'holidays'."""
    if year in file_days():
        return "file"
    first, last = known_years()
    return "chinesecalendar" if first <= year <= last else "holidays"


def is_working_day(day: dt.date) -> bool:
    """True on a Chinese working day: Monday–Friday unless a public holiday, plus the weekend
    days made working days (调休); see the module doc for the sources."""
    entered = file_days().get(day.year)
    if entered is not None:
        return entered.get(day, day.weekday() < 5)
    return _library_working_day(day)


@cache
def _library_working_day(day: dt.date) -> bool:
    first, last = known_years()
    if first <= day.year <= last:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            pass
    if day.year < 1949:
        raise CalendarRangeError(f"{day:%Y-%m-%d}: 无 {day.year} 年的法定节假日 / no official holidays for {day.year}")
    return day.weekday() < 5 and day not in _statutory(day.year)


def makeup_days_unknown(years: Iterable[int]) -> list[int]:
    """The years among `years` whose make-up working days no source knows (holidays only)."""
    return sorted({year for year in years if year >= 1949 and source(year) == "holidays"})


def calendar_warning(day: dt.date, lang: str | None = None) -> str | None:
    """The warning to show for a review at `day` when the make-up days of its year (or of the
    year its deadlines reach, two weeks on) are unknown; None when they are known. `lang` None:
    both languages, zh / en, with the file's path, as the command line prints it."""
    years = makeup_days_unknown({day.year, (day + dt.timedelta(days=14)).year})
    if not years:
        return None
    # the command line names the file's path; a page only its name (no server paths on screen)
    values = {"year": ", ".join(map(str, years)), "file": holidays_file() if lang is None else holidays_file().name}
    if lang is not None:
        return i18n.text("operations.calendar_unknown", lang, **values)
    return " / ".join(i18n.text("operations.calendar_unknown", code, **values) for code in ("zh", "en"))


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
