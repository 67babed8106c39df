"""What every page shares: the warehouse connection, the language, the sidebar filters."""

from __future__ import annotations

import datetime as dt

import duckdb
import streamlit as st

from analytics import config, db, filters, i18n, pipeline

LANG_KEY = "lang"
FILTER_KEYS = {"districts": "f_districts", "industries": "f_industries", "classes": "f_classes",
               "managers": "f_managers", "month": "f_month"}  # fmt: skip


def db_path() -> str:
    return str(config.db_path())


@st.cache_resource(show_spinner=False)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    """One connection per server; each query takes its own cursor (DuckDB's way for threads)."""
    return db.connect(path)


def cursor() -> duckdb.DuckDBPyConnection:
    return connection(db_path()).cursor()


# ---- language ------------------------------------------------------------------------------


def lang() -> str:
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    return i18n.text(key, lang(), **values)


def label(kind: str, value: object) -> str:
    return i18n.label(kind, value, lang())


def language_switch() -> None:
    # The state is set before the widget (never a `default` beside a key): a language chosen by
    # a click, a test or a link stays chosen; a click on the selected option would clear it.
    if st.session_state.get(LANG_KEY) not in i18n.LANGUAGES:
        st.session_state[LANG_KEY] = i18n.DEFAULT_LANGUAGE
    st.sidebar.segmented_control(
        t("app.language"), options=list(i18n.LANGUAGES), key=LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code], selection_mode="single",
    )  # fmt: skip


# ---- preparing the warehouse ---------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _prepared(path: str) -> bool:
    bar = st.progress(0.0, text=t("app.preparing"))

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{t('app.preparing')}  {message}")

    pipeline.prepare(config.db_path(path), progress)
    bar.empty()
    return True


def ensure_ready(path: str) -> None:
    """On a fresh clone: generate the demo, build, train and score, with a progress bar."""
    _prepared(path)


# ---- filters -------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def filter_options(path: str) -> filters.FilterOptions:
    return filters.options(connection(path).cursor())


def sidebar_filters() -> None:
    """Draw the shared filters in the sidebar; their keys keep the choice across pages."""
    opts = filter_options(db_path())
    sb = st.sidebar
    sb.header(t("filter.header"))
    months = list(opts.scored_months or opts.months)
    sb.selectbox(t("filter.month"), months, key=FILTER_KEYS["month"], format_func=lambda m: f"{m:%Y-%m}")
    sb.multiselect(t("filter.district"), opts.districts, key=FILTER_KEYS["districts"],
                   format_func=lambda v: label("district", v), placeholder=t("filter.all"))  # fmt: skip
    sb.multiselect(t("filter.industry"), opts.industries, key=FILTER_KEYS["industries"],
                   format_func=lambda v: label("industry", v), placeholder=t("filter.all"))  # fmt: skip
    sb.multiselect(t("filter.class"), opts.classes, key=FILTER_KEYS["classes"],
                   format_func=lambda v: label("class", v), placeholder=t("filter.all"))  # fmt: skip
    chosen_districts = st.session_state.get(FILTER_KEYS["districts"]) or []
    managers = opts.managers
    if chosen_districts:
        managers = managers[managers["district"].isin(chosen_districts)]
    names = dict(zip(opts.managers["manager_id"], opts.managers["manager_name"], strict=True))
    sb.multiselect(t("filter.manager"), list(managers["manager_id"]), key=FILTER_KEYS["managers"],
                   format_func=lambda m: f"{m} {names.get(m, '')}", placeholder=t("filter.all"))  # fmt: skip


def current_filters() -> filters.Filters:
    """The filters as the sidebar holds them now (defaults before the sidebar was drawn)."""
    state = st.session_state
    month = state.get(FILTER_KEYS["month"])
    if month is None:
        opts = filter_options(db_path())
        month = (opts.scored_months or opts.months or (dt.date.today().replace(day=1),))[0]
    return filters.Filters(
        month=month,
        districts=tuple(state.get(FILTER_KEYS["districts"]) or ()),
        industries=tuple(state.get(FILTER_KEYS["industries"]) or ()),
        classes=tuple(state.get(FILTER_KEYS["classes"]) or ()),
        managers=tuple(state.get(FILTER_KEYS["managers"]) or ()),
    )


def scored_month_or_stop(f: filters.Filters) -> None:
    """Pages that show model scores stop with a clear message when the month has none."""
    opts = filter_options(db_path())
    if f.month not in opts.scored_months:
        st.info(t("app.no_scores", months=", ".join(f"{m:%Y-%m}" for m in opts.scored_months) or "—"))
        st.stop()


# ---- the frame around every page -----------------------------------------------------------

_FRAMED = "_framed"
_WANTED = "_wanted_page"


def mark_framed() -> None:
    """app.py calls this on every run, before the page runs."""
    st.session_state[_FRAMED] = True


def require_frame(page_file: str) -> None:
    """First line of every page.

    A page URL opened on a freshly started server, before any session has run app.py, is served
    by Streamlit's legacy `pages/` routing: the page runs alone, without the frame (no filters, no
    language switch, no navigation). Then go through app.py, which routes back to this page
    (with its query parameters) once `st.navigation` is in charge.
    """
    if st.session_state.get(_FRAMED):
        return
    st.session_state[_WANTED] = (f"pages/{page_file.rsplit('/', 1)[-1]}", st.query_params.to_dict())
    st.switch_page("app.py")


def route_wanted_page() -> None:
    """app.py, after st.navigation: send a session that arrived through legacy routing on."""
    wanted = st.session_state.pop(_WANTED, None)
    if wanted:
        page, params = wanted
        st.switch_page(page, query_params=params or None)
