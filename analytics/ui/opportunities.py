"""Cached wrappers and drawing helpers for my opportunities (我的商机)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.common import i18n
from analytics.common.filters import Filters
from analytics.ui import portfolio
from analytics.ui.frame import connection, lang, t
from analytics.views import opportunities

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False)
def managers(path: str, filters: Filters) -> pd.DataFrame:
    return opportunities.managers(connection(path).cursor(), filters)


@st.cache_data(show_spinner=False)
def accounts(path: str, filters: Filters, manager_id: str, lang: str) -> pd.DataFrame:
    return opportunities.accounts(connection(path).cursor(), filters, manager_id, lang=lang)


def _displayed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    shown = frame.copy()
    for column, kind in portfolio.LABELLED.items():
        shown[column] = [i18n.label(kind, v, lang) if pd.notna(v) else "" for v in shown[column]]
    shown["focus"] = [i18n.text(f"opportunities.focus.{v}", lang) for v in shown["focus"]]
    for column in shown.columns:
        if str(column).endswith("_yuan"):
            shown[column] = shown[column].astype(float).round(0)
    return shown


def displayed(frame: pd.DataFrame) -> pd.DataFrame:
    """The list as shown: display names of districts, classes, areas and focus; whole yuan."""
    return _displayed(frame, lang())


@st.cache_data(show_spinner=False)
def excel(path: str, filters: Filters, manager_id: str, lang: str) -> bytes:
    """The manager's list as an .xlsx workbook with the headers and values of `lang`."""
    shown = _displayed(accounts(path, filters, manager_id, lang), lang)
    headers = {name: i18n.text(f"opportunities.col.{name}", lang) for name in shown.columns}
    return opportunities.excel_bytes(shown, headers, i18n.text("opportunities.sheet", lang))


def table(frame: pd.DataFrame) -> None:
    """The list with translated headers (a frame from `displayed`)."""
    config = portfolio.column_config([str(c) for c in frame.columns], "opportunities")
    st.dataframe(frame, width="stretch", height=portfolio.height(len(frame)), hide_index=True, column_config=config)


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
