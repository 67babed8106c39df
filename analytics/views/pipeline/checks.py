"""The pipeline forms' own checks, beside the daily-work ones (`FormChecker`): yuan, a month, the
products of an area, a next step with its date. Each records a Problem on the checker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from analytics.views.daily_work.checks import FormChecker

MAX_NEXT_STEP = 500
MAX_VALUE_YUAN = Decimal("1000000000")  # 10亿: beyond any one account's opportunity
MAX_CLOSE_MONTHS = 36  # an expected close month at most this far ahead
MAX_PRODUCTS = 20


def money(check: FormChecker, name: str) -> Decimal | None:
    raw = check.values.get(name)
    if raw is None or str(raw).strip() == "":
        return Decimal(0)
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        check.fail(name, "not_a_number")
        return None
    if not value.is_finite() or value < 0:
        check.fail(name, "not_negative")
        return None
    if value > MAX_VALUE_YUAN:
        check.fail(name, "too_large", n=f"{MAX_VALUE_YUAN:,.0f}")
        return None
    return value.quantize(Decimal("0.01"))


def month(check: FormChecker, name: str) -> dt.date | None:
    """A month (a date, or "YYYY-MM"), from this month to MAX_CLOSE_MONTHS ahead: its first day."""
    raw = check.values.get(name)
    if raw is None or str(raw).strip() == "":
        check.fail(name, "required")
        return None
    try:
        if isinstance(raw, dt.date):
            value = raw
        else:
            text = str(raw).strip()
            value = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        check.fail(name, "not_a_month")
        return None
    value = value.replace(day=1)
    first = check.now.date().replace(day=1)
    last_index = first.year * 12 + first.month - 1 + MAX_CLOSE_MONTHS
    last = dt.date(last_index // 12, last_index % 12 + 1, 1)
    if value < first:
        check.fail(name, "month_past", month=f"{first:%Y-%m}")
    elif value > last:
        check.fail(name, "month_far", month=f"{last:%Y-%m}")
    return value


def products(check: FormChecker, name: str, area: str | None) -> list[str]:
    raw = check.values.get(name) or []
    chosen = [raw] if isinstance(raw, str) else [str(p).strip() for p in raw if str(p).strip()]
    chosen = list(dict.fromkeys(chosen))
    if len(chosen) > MAX_PRODUCTS:
        check.fail(name, "too_many", n=MAX_PRODUCTS)
        return []
    if not chosen:
        return []
    rows = check.cur.execute(
        "select product_id, area::varchar from products where list_contains(?, product_id)", [chosen]
    ).fetchall()
    areas = dict(rows)
    unknown = [p for p in chosen if p not in areas]
    if unknown:
        check.fail(name, "unknown_product", id=unknown[0])
    elif area is not None and any(areas[p] != area for p in chosen):
        check.fail(name, "product_area")
    return chosen


def next_step(check: FormChecker) -> tuple[str | None, dt.date | None]:
    step = check.text("next_step", max_length=MAX_NEXT_STEP)
    raw = check.values.get("next_step_on")
    if raw is None or raw == "":
        check.fail("next_step_on", "required")
        return step, None
    return step, check.day("next_step_on", not_before=check.now.date())
