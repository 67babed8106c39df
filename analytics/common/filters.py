"""The sidebar's filters (`Filters`): what the user narrowed the dashboard to, and their reach.

What each filter can choose from is read from the warehouse by `analytics.views.sidebar`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. An empty tuple means "all".

    `scope_managers` is not a filter the user picks: it is the signed-in user's reach (None =
    unrestricted). Every page query passes all of these to the `scoped_accounts` macro.
    """

    month: dt.date
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    scope_managers: tuple[str, ...] | None = None

    def params(self) -> dict[str, object]:
        """Bound parameters for a query that calls `scoped_accounts(...)`."""
        return {
            "districts": list(self.districts),
            "industries": list(self.industries),
            "classes": list(self.classes),
            "managers": list(self.managers),
            "scope_managers": None if self.scope_managers is None else list(self.scope_managers),
            "month": self.month,
        }
