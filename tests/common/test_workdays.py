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


@pytest.fixture()
def holidays_file(tmp_path, monkeypatch):
    """An empty department holidays file of the test's own (NEEDSMINE_HOLIDAYS)."""
    path = tmp_path / "holidays.csv"
    path.write_text("date,kind,name\n", encoding="utf-8")
    monkeypatch.setenv(workdays.HOLIDAYS_ENV, str(path))
    return path


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


def test_a_year_beyond_chinesecalendar_is_answered_from_the_holidays_package_with_a_warning(holidays_file):
    first, last = workdays.known_years()
    assert first <= 2025 and last >= 2026
    later = last + 1
    assert workdays.source(later) == "holidays"
    # the statutory holidays still count: New Year's Day of the next year is no working day
    assert not is_working_day(dt.date(later, 1, 1))
    assert deadline(dt.date(last, 12, 31)) > dt.date(last, 12, 31)  # no error at the year's end
    assert workdays.makeup_days_unknown([last, later]) == [later]
    assert workdays.calendar_warning(dt.date(last, 6, 1)) is None
    note = workdays.calendar_warning(dt.date(last, 12, 25))  # its deadlines reach the next year
    assert note is not None and str(later) in note and "调休" in note and str(holidays_file) in note
    assert holidays_file.name in workdays.calendar_warning(dt.date(later, 1, 15), "en")
    assert str(holidays_file.parent) not in workdays.calendar_warning(dt.date(later, 1, 15), "en")


def test_2027_from_the_holidays_package_knows_spring_festival_and_its_observed_days(holidays_file):
    assert is_working_day(D("2027-01-15"))  # a Friday
    assert not is_working_day(D("2027-02-08"))  # Spring Festival
    assert not is_working_day(D("2027-02-10"))  # Spring Festival (observed), a Wednesday
    assert deadline(D("2027-02-05")) == D("2027-02-11")


def test_the_department_file_makes_a_year_known_holidays_and_make_up_days_alike(holidays_file):
    holidays_file.write_text(
        "# a comment line\ndate,kind,name\n2027-02-06,workday,调休上班\n2027-02-11,holiday,春节\n",
        encoding="utf-8",
    )
    assert workdays.source(2027) == "file"
    assert is_working_day(D("2027-02-06"))  # a Saturday made a working day
    assert not is_working_day(D("2027-02-11"))  # a Thursday off
    assert not is_working_day(D("2027-02-07"))  # a Sunday not listed: weekend as ever
    assert is_working_day(D("2027-02-09"))  # the file alone rules the year: not listed, a Tuesday
    assert deadline(D("2027-02-05")) == D("2027-02-06")
    assert workdays.calendar_warning(D("2027-01-15")) is None


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ("date,kind,name\n2027-02-30,holiday,x\n", "line 2, date"),
        ("date,kind,name\n\n2027-02-03,off,x\n", "line 3, kind"),
        ("# c\ndate,kind,name\n2027-02-03,holiday,x\n2027-02-03,workday,y\n", "line 4, date"),
        ("day,what\n2027-02-03,holiday\n", "line 1"),
    ],
)
def test_a_bad_row_of_the_holidays_file_names_file_line_and_column(holidays_file, rows, where):
    holidays_file.write_text(rows, encoding="utf-8")
    with pytest.raises(workdays.HolidaysFileError) as err:
        is_working_day(D("2027-03-01"))
    assert str(holidays_file) in str(err.value) and where in str(err.value)
    assert isinstance(err.value, CalendarRangeError)  # shown by the pages and the CLI like the range error


def test_the_packaged_holidays_file_reads_and_invents_no_dates(monkeypatch):
    monkeypatch.delenv(workdays.HOLIDAYS_ENV, raising=False)
    assert workdays.holidays_file() == workdays.DEFAULT_HOLIDAYS_FILE
    assert workdays.DEFAULT_HOLIDAYS_FILE.exists()
    assert workdays.file_days() == {}
