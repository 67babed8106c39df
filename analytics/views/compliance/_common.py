"""What the compliance checks share: dates of a period and the bound scope parameters."""

from __future__ import annotations

import datetime as dt

from analytics.common.filters import Filters


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last calendar day of `day`'s month."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def after_day(day: dt.date) -> dt.datetime:
    """The first moment after `day` (an exclusive upper bound for the whole day)."""
    return day_start(day + dt.timedelta(days=1))


def scope_params(scope: Filters | None, as_of: dt.date) -> dict[str, object]:
    """The `scoped_accounts` parameters of `scope` (None = everything) plus `$as_of`."""
    return {**(scope or Filters(month=month_start(as_of))).params(), "as_of": as_of}
