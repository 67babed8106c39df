"""What the pages show of the pipeline (商机): the open opportunities of a user's reach, one
account's, an opportunity's stage history, the values a new one starts from, and which
recommendations are already in an open opportunity (marked as such, not offered again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from analytics.common import clock, i18n, rules
from analytics.warehouse import db, queries

PREFILL_PRODUCTS = 3  # products a new opportunity starts with (the area's best recommendations)
CLOSE_IN_MONTHS = 3  # the expected close month a new opportunity starts with
NEXT_STEP_IN_DAYS = 7  # and the date of its first next step


def _scope(scope_managers: tuple[str, ...] | None) -> list[str] | None:
    return None if scope_managers is None else list(scope_managers)


def opportunities(
    con: duckdb.DuckDBPyConnection,
    scope_managers: tuple[str, ...] | None,
    *,
    account_id: str | None = None,
    open_only: bool = True,
    pipeline: rules.Pipeline | None = None,
) -> pd.DataFrame:
    """The opportunities on accounts in reach (`scope_managers`, None: all), of one account or all,
    open ones only by default; next step due first (sql/queries/pipeline_opportunities.sql)."""
    db.ensure_pipeline_tables(con)
    p = pipeline or rules.load().pipeline
    params = {
        "scope_managers": _scope(scope_managers),
        "account_id": account_id,
        "open_only": open_only,
        "closed": list(p.closed),
    }
    return queries.run(con, "pipeline_opportunities", params)


def history(
    con: duckdb.DuckDBPyConnection, opportunity_id: str, scope_managers: tuple[str, ...] | None
) -> pd.DataFrame:
    """The stages one opportunity went through, oldest first (empty when out of reach)."""
    db.ensure_pipeline_tables(con)
    params = {"opportunity_id": opportunity_id, "scope_managers": _scope(scope_managers)}
    return queries.run(con, "pipeline_history", params)


def open_areas(open_frame: pd.DataFrame) -> set[tuple[str, str]]:
    """(account_id, area) of each open opportunity in `open_frame` (a frame from `opportunities`)."""
    return set(zip(open_frame["account_id"], open_frame["area"], strict=True))


def open_products(open_frame: pd.DataFrame) -> set[tuple[str, str]]:
    """(account_id, product_id) of each product in an open opportunity of `open_frame`."""
    return {
        (account, product)
        for account, products in zip(open_frame["account_id"], open_frame["product_ids"], strict=True)
        for product in list(products if products is not None else [])
    }


def mark_in_pipeline(frame: pd.DataFrame, open_frame: pd.DataFrame, account_id: str | None = None) -> pd.Series:
    """For each row of `frame` (with product_id, and account_id or the one `account_id`): whether
    its product is already in an open opportunity of its account — or its area is, for a row
    without a product."""
    products, areas = open_products(open_frame), open_areas(open_frame)
    accounts = frame["account_id"] if "account_id" in frame else pd.Series([account_id] * len(frame), index=frame.index)
    marks = []
    for account, row in zip(accounts, frame.to_dict("records"), strict=True):
        product = row.get("product_id")
        if isinstance(product, str):
            marks.append((account, product) in products)
        else:
            marks.append((account, row.get("area")) in areas)
    return pd.Series(marks, index=frame.index, dtype=bool)


def _months_ahead(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def prefill(
    con: duckdb.DuckDBPyConnection,
    account: dict[str, object],
    area: str,
    month: dt.date | None,
    *,
    source: str,
    product_id: str | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    today: dt.date | None = None,
) -> dict[str, object]:
    """The values a new opportunity of `account` (its profile: account_id, manager_id) in `area`
    starts with: the area's best recommended products of scoring month `month` and their value
    a month (annual value / 12), closing in CLOSE_IN_MONTHS months, the account's manager as
    owner, a first next step in NEXT_STEP_IN_DAYS days. With `product_id` (a recommendation
    picked), that product alone. The form shows them to be changed."""
    today = today or clock.today()
    products = pd.DataFrame(columns=["product_id", "annual_value_yuan"])
    if month is not None:
        count = PREFILL_PRODUCTS if product_id is None else 1000
        params = {"account_id": account["account_id"], "month": month, "area": area, "product_count": count}
        products = queries.run(con, "pipeline_prefill", params)
        if product_id is not None:
            products = products[products["product_id"] == product_id]
    monthly = float(products["annual_value_yuan"].fillna(0).sum()) / 12 if len(products) else 0.0
    return {
        "account_id": account["account_id"],
        "area": area,
        "product_ids": list(products["product_id"]) if product_id is None or len(products) else [product_id],
        "expected_monthly_yuan": round(monthly),
        "expected_one_off_yuan": 0,
        "expected_close_month": _months_ahead(today, CLOSE_IN_MONTHS),
        "owner_id": account.get("manager_id"),
        "next_step": i18n.text(f"pipeline.first_step.{source}", lang),
        "next_step_on": today + dt.timedelta(days=NEXT_STEP_IN_DAYS),
        "source": source,
    }


def stage_label(stage: str, lang: str) -> str:
    """A stage in `lang`: its translation where the table has one (the default stages), else as configured."""
    return i18n.label("stage", stage, lang)


def product_text(names: Iterable[str] | None) -> str:
    return "、".join(str(n) for n in (names if names is not None else []) if n)


def area_products(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """The catalogue's products of `area`: product_id, product_name."""
    return queries.run(con, "pipeline_area_products", {"area": area})


# The columns of the follow-up list, in order (headers `pipeline.col.<name>`).
LIST_COLUMNS: tuple[str, ...] = (
    "account_name",
    "area",
    "stage",
    "days_in_stage",
    "next_step",
    "next_step_on",
    "products",
    "expected_monthly_yuan",
    "expected_one_off_yuan",
    "expected_close_month",
    "owner",
    "proposal_count",
)


def follow_up_table(frame: pd.DataFrame, lang: str, today: dt.date | None = None) -> pd.DataFrame:
    """Open opportunities as the follow-up list shows them: stage and area in `lang`, days in the
    current stage, products by name, the owner with id; user text (the next step) as typed."""
    today = today or clock.today()
    shown = pd.DataFrame(index=frame.index)
    shown["account_name"] = frame["account_name"].astype(str)
    shown["area"] = [i18n.label("area", a, lang) for a in frame["area"]]
    shown["stage"] = [stage_label(s, lang) for s in frame["stage"]]
    since = pd.to_datetime(frame["stage_since"])
    shown["days_in_stage"] = [(today - d.date()).days if pd.notna(d) else None for d in since]
    shown["next_step"] = frame["next_step"].fillna("").astype(str)
    shown["next_step_on"] = pd.to_datetime(frame["next_step_on"])
    shown["products"] = [product_text(n) for n in frame["product_names"]]
    shown["expected_monthly_yuan"] = frame["expected_monthly_yuan"].astype(float)
    shown["expected_one_off_yuan"] = frame["expected_one_off_yuan"].astype(float)
    shown["expected_close_month"] = [f"{pd.Timestamp(m):%Y-%m}" for m in frame["expected_close_month"]]
    shown["owner"] = (frame["owner_id"].astype(str) + " " + frame["owner_name"].fillna("").astype(str)).str.strip()
    shown["proposal_count"] = frame["proposal_count"].astype(int)
    return shown[list(LIST_COLUMNS)].reset_index(drop=True)


def history_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A stage history in words: when, from, to, by whom."""
    return pd.DataFrame(
        {
            "changed_at": pd.to_datetime(frame["changed_at"]),
            "from_stage": ["" if s is None or pd.isna(s) else stage_label(s, lang) for s in frame["from_stage"]],
            "to_stage": [stage_label(s, lang) for s in frame["to_stage"]],
            "changed_by": frame["changed_by"].astype(str),
        }
    )


def recommendation_marks(recommendations: pd.DataFrame, account_id: str, open_frame: pd.DataFrame) -> list[bool]:
    """Whether each recommended product, in the order of the account view's full table (area in
    config order, then rank), is already in an open opportunity of the account."""
    from analytics.config import AREAS

    order = {area: number for number, area in enumerate(AREAS)}
    ordered = recommendations.assign(_order=recommendations["area"].map(order))
    ordered = ordered.sort_values(["_order", "rank"], kind="stable")
    return list(mark_in_pipeline(ordered, open_frame, account_id))


def of_manager(open_frame: pd.DataFrame, manager_id: str | None) -> pd.DataFrame:
    """The opportunities of `open_frame` on the accounts of `manager_id` (all when None)."""
    if manager_id is None:
        return open_frame
    return open_frame[open_frame["manager_id"] == manager_id].reset_index(drop=True)
