"""My opportunities (我的商机) for account managers: for one manager, every scored account of the
month with its churn risk, its best area, the products to propose, and a priority ranking."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.common import i18n, rules
from analytics.common.filters import Filters
from analytics.common.formats import yuan
from analytics.views import portfolio
from analytics.warehouse import queries

# How many recommended products each account shows, and for how many of them it says why.
PRODUCT_COUNT = 3
REASON_COUNT = 2

# The columns of the list (and of its Excel export), in order.
COLUMNS: tuple[str, ...] = (
    "priority_rank",
    "account_id",
    "account_name",
    "district",
    "value_class",
    "focus",
    "priority_value_yuan",
    # what to sell, then what may be lost: a manager reads first what to propose
    "best_area",
    "products",
    "sell_reason",
    "best_area_propensity",
    "best_area_value_yuan",
    "opportunity_value_yuan",
    "products_value_yuan",
    "churn_probability",
    "revenue_at_risk_yuan",
    "top_reason",
)


def managers(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The managers of the filtered accounts (manager_id, manager_name, district,
    in_service_account_count, scored_account_count), by id."""
    return queries.run(con, "opportunities_managers", filters.params())


def default_manager(filters: Filters, manager_ids: Sequence[str]) -> str | None:
    """The manager to show first: the first one picked in the sidebar, else the first in scope."""
    for manager_id in filters.managers:
        if manager_id in manager_ids:
            return manager_id
    return manager_ids[0] if len(manager_ids) else None


def _products(ids: object, names: object, values: object, lang: str) -> str:
    """'移动OA ¥1,234 · 企业邮箱 ¥560' from the lists of ids, names and expected values."""
    from analytics.views.account.view import product_label  # the one place that names products per language

    if not all(isinstance(x, list | np.ndarray) for x in (ids, names, values)):
        return ""
    return " · ".join(
        f"{product_label(pid, name, lang)} ¥{yuan(0 if pd.isna(value) else value)}"
        for pid, name, value in zip(ids, names, values, strict=True)  # type: ignore[call-overload]
    )


def _listed(value: object) -> list:
    return list(value) if isinstance(value, list | np.ndarray) else []


def sell_reason(row: Mapping[str, object], lang: str, count: int = REASON_COUNT) -> str:
    """Why to offer the account its first `count` products, in a manager's words: "企业邮箱：同行业同
    规模集团58%已使用；语音专线：近6个月走访中客户提出基础通信需求" — from each recommendation's basis
    (named in an interview, a need of its area voiced, its peers) and the peers' adoption of it. Never
    a trait of the account (its size, its tenure): those are no reason to buy."""
    from analytics.views.account.view import product_label, recommendation_reason

    columns = ("product_ids", "product_names", "product_bases", "product_peer_rates", "product_peer_levels")
    ids, names, bases, rates, levels = (_listed(row.get(c)) for c in columns)
    areas = _listed(row.get("product_areas"))
    parts = []
    for pid, name, basis, rate, level, area in list(zip(ids, names, bases, rates, levels, areas, strict=False))[:count]:
        why = recommendation_reason(basis, rate, level, area, lang)
        parts.append(
            f"{product_label(pid, name, lang)}：{why}" if lang == "zh" else f"{product_label(pid, name, lang)}: {why}"
        )
    return ("；" if lang == "zh" else "; ").join(parts)


def accounts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    manager_id: str,
    product_count: int = PRODUCT_COUNT,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """Every filtered account of `manager_id` scored in `filters.month`, most urgent first, its
    top churn reason and products worded in `lang`.

    Priority = revenue at risk + opportunity value: both are expected yuan a year (churn
    probability × trailing 12-month revenue; Σ area propensity × expected annual value), so the
    list puts first the accounts where the manager's attention moves the most money. `focus` says
    which of the two is larger: "retain" or "grow". `sell_reason` says why to offer the products
    (`sell_reason`); `top_reason`, the top churn reason, only where the focus is retention or the
    account is at risk (empty on an account to grow). Columns: COLUMNS.
    """
    params = filters.params() | {"manager_id": manager_id, "product_count": product_count}
    frame = queries.run(con, "opportunities_accounts", params)
    frame.insert(0, "priority_rank", range(1, len(frame) + 1))
    frame["focus"] = np.where(frame["revenue_at_risk_yuan"] > frame["opportunity_value_yuan"], "retain", "grow")
    frame["products"] = [
        _products(*row, lang)
        for row in zip(frame["product_ids"], frame["product_names"], frame["product_values_yuan"], strict=True)
    ]
    frame["sell_reason"] = [sell_reason(row, lang) for row in frame.to_dict("records")]
    if lang != i18n.DEFAULT_LANGUAGE and len(frame):
        worded = portfolio.reasons(con, filters, list(frame["account_id"]), lang, top=1)
        frame["top_reason"] = [
            worded[a][0] if worded.get(a) else stored
            for a, stored in zip(frame["account_id"], frame["top_reason"], strict=True)
        ]
    # The churn reason is a reason to act only where retention is the focus or the account is at
    # risk; on an account to grow it would read as a reason to sell ("单位106人"), which it is not.
    threshold = rules.at_risk_probability()
    retain = (frame["focus"] == "retain") | frame["churn_probability"].map(lambda p: rules.is_at_risk(p, threshold))
    frame["top_reason"] = frame["top_reason"].astype(object).where(retain.astype(bool), None)
    return frame[list(COLUMNS)]


@dataclass(frozen=True)
class Summary:
    account_count: int  # accounts in service (SQL macro is_in_service), or those listed when not known
    revenue_at_risk_yuan: float
    opportunity_value_yuan: float
    retain_count: int  # accounts whose revenue at risk outweighs their opportunity value
    at_risk_count: int  # accounts at risk (rules.is_at_risk: the retention page's accounts)


def in_service_count(choices: pd.DataFrame, manager_id: str) -> int | None:
    """How many accounts of `manager_id` are in service, from `choices` (a frame from `managers`)."""
    rows = choices.loc[choices["manager_id"] == manager_id, "in_service_account_count"]
    return int(rows.iloc[0]) if len(rows) else None


def summary(frame: pd.DataFrame, in_service: int | None = None) -> Summary:
    """Totals of a manager's list (a frame from `accounts`): `in_service` accounts in service (see
    `in_service_count`; the list holds the scored ones only), else as many as listed."""
    threshold = rules.at_risk_probability()
    return Summary(
        account_count=len(frame) if in_service is None else in_service,
        revenue_at_risk_yuan=float(frame["revenue_at_risk_yuan"].sum()),
        opportunity_value_yuan=float(frame["opportunity_value_yuan"].sum()),
        retain_count=int((frame["focus"] == "retain").sum()),
        at_risk_count=sum(rules.is_at_risk(p, threshold) for p in frame["churn_probability"]),
    )


def _number_format(column: str) -> str | None:
    if column.endswith("_yuan"):
        return "#,##0"
    if column.endswith(("probability", "propensity")):
        return "0.0%"
    return None


def excel_bytes(frame: pd.DataFrame, headers: Mapping[str, str], sheet_name: str) -> bytes:
    """`frame` as an .xlsx workbook: one sheet, headers renamed by `headers`, yuan and
    probabilities formatted as numbers (so that they still sort and sum in Excel)."""
    sheet_name = sheet_name[:31]  # Excel's limit
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.rename(columns=dict(headers)).to_excel(writer, sheet_name=sheet_name, index=False)
        sheet = writer.sheets[sheet_name]
        sheet.freeze_panes = "A2"
        for name, cells in zip(frame.columns, sheet.columns, strict=True):
            number_format = _number_format(str(name))
            if number_format:
                for cell in cells[1:]:
                    cell.number_format = number_format
            width = max(len(str(cell.value or "")) for cell in cells[:50])
            sheet.column_dimensions[cells[0].column_letter].width = min(max(width * 1.6, 8), 60)
    return buffer.getvalue()
