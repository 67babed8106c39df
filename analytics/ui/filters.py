"""The shared sidebar filters (month, district, industry, value class, manager): drawing them, and
reading them back as `Filters` narrowed to the signed-in user's reach. Their keys keep a choice
across pages."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics.common import filters as common_filters
from analytics.common.months import month_start
from analytics.ui.connection import connection, db_path
from analytics.ui.language import label, t
from analytics.ui.signin import scope
from analytics.views import sidebar

FILTER_KEYS = {
    "districts": "f_districts",
    "industries": "f_industries",
    "classes": "f_classes",
    "managers": "f_managers",
    "month": "f_month",
}


@st.cache_data(show_spinner=False)
def filter_options(path: str) -> sidebar.FilterOptions:
    """What the filters offer in the warehouse at `path` (months, districts, managers …)."""
    return sidebar.options(connection(path).cursor())


def sidebar_filters() -> None:
    """Draw the shared filters in the sidebar; their keys keep the choice across pages."""
    opts = filter_options(db_path())
    sb = st.sidebar
    sb.header(t("filter.header"))
    months = list(opts.scored_months or opts.months)
    sb.selectbox(t("filter.month"), months, key=FILTER_KEYS["month"], format_func=lambda m: f"{m:%Y-%m}")
    sb.multiselect(
        t("filter.district"),
        opts.districts,
        key=FILTER_KEYS["districts"],
        format_func=lambda v: label("district", v),
        placeholder=t("filter.all"),
    )
    sb.multiselect(
        t("filter.industry"),
        opts.industries,
        key=FILTER_KEYS["industries"],
        format_func=lambda v: label("industry", v),
        placeholder=t("filter.all"),
    )
    sb.multiselect(
        t("filter.class"),
        opts.classes,
        key=FILTER_KEYS["classes"],
        format_func=lambda v: label("class", v),
        placeholder=t("filter.all"),
    )
    chosen_districts = st.session_state.get(FILTER_KEYS["districts"]) or []
    managers = opts.managers
    reach = scope()
    if reach is not None:
        managers = managers[managers["manager_id"].isin(reach)]
    if chosen_districts:
        managers = managers[managers["district"].isin(chosen_districts)]
    names = dict(zip(opts.managers["manager_id"], opts.managers["manager_name"], strict=True))
    sb.multiselect(
        t("filter.manager"),
        list(managers["manager_id"]),
        key=FILTER_KEYS["managers"],
        format_func=lambda m: f"{m} {names.get(m, '')}",
        placeholder=t("filter.all"),
    )


def current_filters() -> common_filters.Filters:
    """The filters as the sidebar holds them now (defaults before the sidebar was drawn), narrowed
    to the signed-in user's reach."""
    state = st.session_state
    month = state.get(FILTER_KEYS["month"])
    if month is None:
        opts = filter_options(db_path())
        month = (opts.scored_months or opts.months or (month_start(dt.date.today()),))[0]
    return common_filters.Filters(
        month=month,
        districts=tuple(state.get(FILTER_KEYS["districts"]) or ()),
        industries=tuple(state.get(FILTER_KEYS["industries"]) or ()),
        classes=tuple(state.get(FILTER_KEYS["classes"]) or ()),
        managers=tuple(state.get(FILTER_KEYS["managers"]) or ()),
        scope_managers=scope(),
    )


def scored_month_or_stop(f: common_filters.Filters) -> None:
    """Pages that show model scores stop with a clear message when the month has none."""
    opts = filter_options(db_path())
    if f.month not in opts.scored_months:
        st.info(t("app.no_scores", months=", ".join(f"{m:%Y-%m}" for m in opts.scored_months) or "—"))
        st.stop()
