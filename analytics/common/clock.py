"""The operator's clock: today and now in Asia/Shanghai, whatever the server's time zone.

The warehouse holds local times without a zone (an interview "at 09:30" is 09:30 in China), so
form defaults, "not in the future" checks and the as-of day of a running month read this clock,
not the server's (`dt.date.today()` on a UTC server is still yesterday until 08:00 in China).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TIME_ZONE = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The local time in Asia/Shanghai, without a zone (as the warehouse stores times), to the second."""
    return dt.datetime.now(TIME_ZONE).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """Today's date in Asia/Shanghai."""
    return dt.datetime.now(TIME_ZONE).date()
