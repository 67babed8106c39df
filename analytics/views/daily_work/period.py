"""Which month a daily-work page (规范执行, 竞争信息, 走访记录, 客户挽留) shows: the data's month that
the sidebar shows, not the calendar's. A warehouse is loaded a month or two behind the calendar,
and a page opening on this (empty) calendar month would report every manager short of reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from analytics.common import clock
from analytics.common.months import month_end, month_start


def period_months(data_months: Sequence[dt.date], today: dt.date | None = None) -> list[dt.date]:
    """The months a page may show, newest first: the warehouse's months (`data_months`, any
    order) and the calendar month of `today` (default: today in Asia/Shanghai), whose records the
    forms write as they are saved."""
    this_month = month_start(today or clock.today())
    return sorted({month_start(m) for m in data_months} | {this_month}, reverse=True)


def default_period(
    sidebar_month: dt.date | None, data_months: Sequence[dt.date], today: dt.date | None = None
) -> dt.date:
    """The month a page opens on: the sidebar's month (by default the data's latest scored month,
    `analytics.ui.filters.current_filters`), else the data's latest month, else this calendar
    month."""
    if sidebar_month is not None:
        return month_start(sidebar_month)
    if data_months:
        return month_start(max(data_months))
    return month_start(today or clock.today())


def as_of_for(month: dt.date, today: dt.date | None = None) -> dt.date:
    """The day a month is judged at: its last day, or today (Asia/Shanghai) while it runs."""
    return min(month_end(month), today or clock.today())
