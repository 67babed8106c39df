"""Reading a form's values into clean ones, one `Problem` per field that breaks a rule.

A form whose input breaks a rule raises `ValidationError` carrying, per field, a `Problem`: a
translation key of `analytics/common/i18n/forms.csv` and its values, so that a page shows it beside the
field in the user's language. The checks that need the warehouse (an account or manager on
record, within the writer's reach; a value of a schema enum) read it through the cursor of the
write's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from analytics.common import i18n
from analytics.config import AREAS
from analytics.warehouse import db

EARLIEST = dt.datetime(2000, 1, 1)  # the oldest moment a form accepts


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a translation key and the values its text needs."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        return i18n.text(self.key, lang, **self.values)


class ValidationError(ValueError):
    """The input breaks a rule; nothing was written. `problems`: field -> Problem."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {p.text('en')}" for name, p in problems.items()))

    def messages(self, lang: str = i18n.DEFAULT_LANGUAGE) -> dict[str, str]:
        return {name: p.text(lang) for name, p in self.problems.items()}


class FormChecker:
    """Collects one Problem per field while reading a form's values into clean ones."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        values: Mapping[str, Any],
        now: dt.datetime,
        scope: tuple[str, ...] | None = None,
    ) -> None:
        self.cur, self.values, self.now = cur, values, now
        self.scope = scope  # the managers whose accounts the writer may reach (None: all)
        self.problems: dict[str, Problem] = {}

    def fail(self, name: str, key: str, **values: Any) -> None:
        self.problems.setdefault(name, Problem(f"forms.error.{key}", values))

    def text(self, name: str, *, max_length: int, required: bool = True) -> str | None:
        raw = self.values.get(name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if required:
                self.fail(name, "required")
            return None
        if len(value) > max_length:
            self.fail(name, "too_long", n=max_length)
        return value

    def choice(self, name: str, type_name: str, *, required: bool = True) -> str | None:
        raw = self.values.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.fail(name, "required")
            return None
        allowed = db.enum_values(self.cur, type_name)
        if str(raw) not in allowed:
            self.fail(name, "choice", allowed=" / ".join(allowed))
            return None
        return str(raw)

    def moment(self, name: str) -> dt.datetime | None:
        """A past date and time (a date alone means its start)."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            self.fail(name, "required")
            return None
        try:
            if isinstance(raw, str):
                value = dt.datetime.fromisoformat(raw.strip())
            elif isinstance(raw, dt.datetime):
                value = raw
            elif isinstance(raw, dt.date):
                value = dt.datetime.combine(raw, dt.time())
            else:
                raise TypeError
        except (TypeError, ValueError):
            self.fail(name, "not_a_time")
            return None
        value = value.replace(tzinfo=None)
        if value > self.now:
            self.fail(name, "future")
        elif value < EARLIEST:
            self.fail(name, "too_old", day=f"{EARLIEST:%Y-%m-%d}")
        return value

    def day(self, name: str, *, not_before: dt.date) -> dt.date | None:
        """An optional date that may not lie before `not_before`."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = dt.date.fromisoformat(raw.strip()) if isinstance(raw, str) else raw
            if isinstance(value, dt.datetime):
                value = value.date()
            if not isinstance(value, dt.date):
                raise TypeError
        except (TypeError, ValueError):
            self.fail(name, "not_a_time")
            return None
        if value < not_before:
            self.fail(name, "past_due", day=f"{not_before:%Y-%m-%d}")
        return value

    def account(self, name: str, *, required: bool = True) -> tuple[str, str] | None:
        """(account_id, its manager_id) of an account on record."""
        account_id = self.text(name, max_length=64, required=required)
        if account_id is None:
            return None
        row = self.cur.execute(
            "select account_id, manager_id from accounts where account_id = ?", [account_id]
        ).fetchone()
        if row is None:
            self.fail(name, "unknown_account", id=account_id)
        elif self.scope is not None and row[1] not in self.scope:
            # The same answer as for an unknown id: an account out of reach is not disclosed.
            self.fail(name, "unknown_account", id=account_id)
            return None
        return row

    def manager(self, name: str, default: str | None = None, *, default_field: str | None = None) -> str | None:
        """A manager on record; when left empty, `default` (the account's manager) — unless the
        field it comes from (`default_field`) is itself wrong, which is reported there."""
        raw = self.values.get(name)
        empty = raw is None or str(raw).strip() == ""
        if empty and (default is not None or (default_field is not None and default_field in self.problems)):
            return default
        manager_id = self.text(name, max_length=64)
        if manager_id is None:
            return None
        found = self.cur.execute("select count(*) from managers where manager_id = ?", [manager_id]).fetchone()[0]
        if not found or (self.scope is not None and manager_id not in self.scope):
            self.fail(name, "unknown_manager", id=manager_id)
        return manager_id

    def areas(self, name: str) -> list[str]:
        raw = self.values.get(name) or []
        chosen = [raw] if isinstance(raw, str) else list(raw)
        unknown = [a for a in chosen if a not in AREAS]
        if unknown:
            self.fail(name, "choice", allowed=" / ".join(AREAS))
        return [a for a in AREAS if a in chosen]  # in the schema's order, each once
