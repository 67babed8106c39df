"""Calendar arithmetic: months (billing months, as-of months, look-back windows) and the bounds of
a day. The one place a month is added or a month's first or last day is found; SQL does its own
with `interval`, Python code calls these.

A month is named by any day in it; functions that return a month return its first day, the way
`billing_month` and `as_of_month` are stored.
"""

from __future__ import annotations

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last calendar day of `day`'s month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month (negative: before it)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` (an inclusive lower bound for the whole day)."""
    return dt.datetime.combine(day, dt.time())


def after_day(day: dt.date) -> dt.datetime:
    """The first moment after `day` (an exclusive upper bound for the whole day)."""
    return day_start(day + dt.timedelta(days=1))


def day_end(day: dt.date) -> dt.datetime:
    """The last moment of `day` (an inclusive upper bound for the whole day)."""
    return dt.datetime.combine(day, dt.time.max)
