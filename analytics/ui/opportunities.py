"""Cached wrappers and drawing helpers for my opportunities (我的商机)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.common import formats
from analytics.common.filters import Filters
from analytics.ui import pipeline, portfolio, tables
from analytics.ui.connection import connection
from analytics.ui.language import label, t
from analytics.views import opportunities


@st.cache_data(show_spinner=False)
def managers(path: str, filters: Filters) -> pd.DataFrame:
    return opportunities.managers(connection(path).cursor(), filters)


@st.cache_data(show_spinner=False)
def accounts(path: str, filters: Filters, manager_id: str, lang: str) -> pd.DataFrame:
    return opportunities.accounts(connection(path).cursor(), filters, manager_id, lang=lang)


def displayed(frame: pd.DataFrame) -> pd.DataFrame:
    """The list as shown and exported: display names of districts, classes, areas and focus; whole yuan."""
    shown = frame.copy()
    for column, kind in portfolio.LABELLED.items():
        shown[column] = [label(kind, v) if pd.notna(v) else "" for v in shown[column]]
    shown["focus"] = [t(f"opportunities.focus.{v}") for v in shown["focus"]]
    for column in shown.columns:
        if str(column).endswith("_yuan"):
            shown[column] = shown[column].astype(float).round(0)
    return shown


# On screen, what to sell and why come right after the account (the Excel file keeps COLUMNS' order).
SCREEN_FIRST = (
    "priority_rank",
    "account_name",
    "focus",
    "products",
    "sell_reason",
    "priority_value_yuan",
    "top_reason",
)


def on_screen(shown: pd.DataFrame) -> pd.DataFrame:
    """The shown list in screen order: SCREEN_FIRST, then every other column as listed."""
    first = [c for c in SCREEN_FIRST if c in shown.columns]
    return shown[first + [c for c in shown.columns if c not in first]]


def manager_name(choices: pd.DataFrame, manager_id: str) -> str:
    """The name of manager `manager_id` among `choices` (a frame from `managers`)."""
    names = dict(zip(choices["manager_id"], choices["manager_name"].fillna(""), strict=True))
    return names.get(manager_id, "")


def manager_choice(filters: Filters, choices: pd.DataFrame, key: str) -> str:
    """A select box of the managers in `choices`; it starts on the sidebar's first manager, else
    the first in scope, and forgets a choice the filters no longer allow."""
    ids = list(choices["manager_id"])
    names = dict(zip(choices["manager_id"], choices["manager_name"].fillna(""), strict=True))
    if st.session_state.get(key) not in ids:
        st.session_state.pop(key, None)
    first = opportunities.default_manager(filters, ids)
    return st.selectbox(
        t("opportunities.manager"), ids, index=ids.index(first), key=key, format_func=lambda m: f"{m} {names[m]}"
    )


def priority_list(
    listed: pd.DataFrame,
    choices: pd.DataFrame,
    manager_id: str,
    month: str,
    in_pipeline: pd.DataFrame,
    filters: Filters,
) -> None:
    """The priority list of one manager: totals, the list (those whose best area is already in an
    open opportunity marked), a row to start an opportunity from, and the Excel export."""
    s = opportunities.summary(listed, opportunities.in_service_count(choices, manager_id))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("opportunities.accounts"), f"{s.account_count:,}")
    c2.metric(t("opportunities.revenue_at_risk"), formats.wan(s.revenue_at_risk_yuan))
    c3.metric(t("opportunities.opportunity_value"), formats.wan(s.opportunity_value_yuan))
    c4.metric(t("opportunities.retain_count"), f"{s.retain_count:,}")

    st.caption(t("opportunities.rule"))
    shown = displayed(listed)
    # what to sell and why beside the account, wrapped in their cells so that they read whole
    tables.table(
        on_screen(pipeline.list_marks(shown, listed, in_pipeline)),
        "opportunities",
        key="opportunities_list",
        wrap=True,
    )
    pipeline.row_action(listed, manager_id, filters.month, in_pipeline)
    pipeline.create_form(filters)
    tables.download(
        shown,
        "opportunities",
        file_name=f"opportunities_{manager_id}_{month}.xlsx",
        key="opportunities_download",
        what=f"opportunities {manager_id}",
        sheet=t("opportunities.sheet"),
    )
