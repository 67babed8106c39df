"""What the compliance checks share: the bound scope parameters of a period."""

from __future__ import annotations

import datetime as dt

from analytics.common.filters import Filters
from analytics.common.months import month_start


def scope_params(scope: Filters | None, as_of: dt.date) -> dict[str, object]:
    """The `scoped_accounts` parameters of `scope` (None = everything) plus `$as_of`."""
    return {**(scope or Filters(month=month_start(as_of))).params(), "as_of": as_of}
