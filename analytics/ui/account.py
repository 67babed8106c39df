"""Cached wrappers and drawing helpers for the account view (客户视图)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.access import privacy
from analytics.common.filters import Filters
from analytics.ui import tables, text
from analytics.ui.connection import connection, db_path
from analytics.ui.language import label, lang, t
from analytics.ui.signin import current_user
from analytics.views.account import charts, documents
from analytics.views.account import tables as account_tables
from analytics.views.account import view as account
from analytics.views.pipeline import writes as pipeline_writes

QUERY_PARAM = account.QUERY_PARAM  # ?account=ID opens an account
SEARCH_KEY = "account_search"
_LAST_SEARCH = "_account_last_search"


@st.cache_data(show_spinner=False, max_entries=256)
def search(path: str, filters: Filters, typed: str) -> pd.DataFrame:
    return account.search(connection(path).cursor(), filters.params(), typed)


@st.cache_data(show_spinner=False, max_entries=1024)
def profile(path: str, account_id: str, scope_managers: tuple[str, ...] | None) -> dict[str, object] | None:
    return account.profile(connection(path).cursor(), account_id, scope_managers)


@st.cache_data(show_spinner=False, max_entries=64)
def view(
    path: str,
    account_id: str,
    month: dt.date,
    scope_managers: tuple[str, ...] | None,
    personal: bool = True,
    lang: str = "zh",
) -> account.AccountView:
    """One account's data; without `personal` (an analyst) key people's names, phones and the
    interview notes are masked (saying so in `lang`) — in the page and in the proposal made from it."""
    v = account.load(connection(path), account_id, month, scope_managers)
    return v if personal else privacy.mask_account_view(v, lang)


# ---- the picker ----------------------------------------------------------------------------


def pick_account(path: str, filters: Filters) -> str | None:
    """Search box and account list (within the sidebar filters); the choice is kept in the URL
    (?account=ID), so that a link opens an account. None (and a message) when nothing matches."""
    typed = st.text_input(t("account.search"), key=SEARCH_KEY, help=t("account.search_help")).strip()
    matches = search(path, filters, typed)
    options = list(matches["account_id"])
    names = dict(zip(matches["account_id"], matches["account_name"], strict=True))
    wanted = st.query_params.get(QUERY_PARAM)
    # A link opens its account whatever the filters; a new search or new filters show their best match.
    current = (typed, filters.districts, filters.industries, filters.classes, filters.managers)
    if current != st.session_state.setdefault(_LAST_SEARCH, current):
        st.session_state[_LAST_SEARCH] = current
        wanted = options[0] if options else None
    if wanted and wanted not in names:
        record = profile(path, wanted, filters.scope_managers)
        if record is None:
            st.warning(text.fill("account.not_found", id=wanted[:40]))  # text from the URL, shown as text
        else:
            options.insert(0, wanted)
            names[wanted] = str(record["account_name"])
    if not options:
        st.info(t("account.none_found"))
        return None
    chosen = st.selectbox(
        t("account.pick"),
        options,
        index=options.index(wanted) if wanted in options else 0,
        format_func=lambda a: f"{a}  {names.get(a, '')}",
    )
    if st.query_params.get(QUERY_PARAM) != chosen:
        st.query_params[QUERY_PARAM] = chosen
    return chosen


# ---- tables as shown (analytics/views/account/tables.py, in the session's language) -------------


def peers_caption(v: account.AccountView) -> str:
    """The line above the peers table, in the user's language."""
    return account_tables.peers_caption(v, lang())


def table_of(name: str, v: account.AccountView) -> pd.DataFrame:
    """One of the account tables (profile, contacts, structure, peers, reasons, interviews,
    complaints, reports) as the user reads it."""
    return getattr(account_tables, f"{name}_table")(v, lang())


def recommendations_table(products: pd.DataFrame) -> pd.DataFrame:
    return account_tables.recommendations_table(products, lang())


def all_recommendations(v: account.AccountView) -> pd.DataFrame:
    """Every area's recommended products, with why in words, for one full-width table."""
    return account_tables.all_recommendations_table(v, lang())


def peers_fallback(v: account.AccountView) -> str | None:
    """The wider peer group said in words, when the account's own had too few accounts."""
    return account_tables.peers_fallback(v, lang())


def scope_findings(v: account.AccountView) -> None:
    """What the business scope suggests, one line each (the scope's own words quoted as text)."""
    lines = account.scope_lines(v, lang())
    if not lines:
        st.caption(t("account.scope_none"))
        return
    st.caption(t("account.scope_caption"))
    for line in lines:
        st.text(line)


def interview_list(v: account.AccountView) -> None:
    """The interviews, newest first, each in a box: the line of who, when and needs found, then the
    whole note — wrapped, as plain text (st.text: a note is never read as Markdown)."""
    for header, note in account_tables.interview_entries(v, lang()):
        with st.container(border=True):
            st.caption(text.markdown(header))  # imported names in the line: shown as text
            st.text(note or t("account.none"))


def _product(frame: pd.DataFrame) -> pd.Series:
    return account_tables.Words(lang()).products(frame)


# ---- charts --------------------------------------------------------------------------------


def _area_colours() -> dict[str, str]:
    """One colour per area on every chart of the page (and of the proposal)."""
    return {label("area", area): colour for area, colour in charts.AREA_COLOURS.items()}


def area_figure(v: account.AccountView) -> go.Figure:
    by_area = v.revenue_by_area()
    by_area = by_area[by_area["revenue_yuan"] > 0]
    by_area = by_area.assign(area_label=by_area["area"].map(lambda a: label("area", a)))
    fig = px.pie(
        by_area,
        names="area_label",
        values="revenue_yuan",
        hole=0.45,
        color="area_label",
        color_discrete_map=_area_colours(),
        title=t("account.area_chart", month=f"{v.month:%Y-%m}"),
    )
    return fig.update_layout(legend_title_text=t("account.col.area"))


def trend_figure(v: account.AccountView) -> go.Figure:
    trend = v.trend().assign(area_label=lambda d: d["area"].map(lambda a: label("area", a)))
    return px.bar(
        trend,
        x="billing_month",
        y="revenue_yuan",
        color="area_label",
        title=t("account.trend_chart"),
        color_discrete_map=_area_colours(),
        category_orders={"area_label": list(_area_colours())},
        labels={
            "billing_month": t("account.col.month"),
            "revenue_yuan": t("account.col.revenue"),
            "area_label": t("account.col.area"),
        },
    )


def peers_figure(v: account.AccountView) -> go.Figure:
    p = v.peers.head(12).assign(
        product=lambda d: _product(d).map(text.chart),  # catalogue names: plotly reads HTML in labels
        held=lambda d: d["is_held"].map(lambda h: t("account.legend.held") if h else t("account.legend.lacking")),
    )
    return px.bar(
        p,
        x="adoption_rate",
        y="product",
        color="held",
        orientation="h",
        title=t("account.peer_chart"),
        labels={"adoption_rate": t("account.col.adoption"), "product": t("account.col.product"), "held": ""},
    ).update_layout(yaxis={"categoryorder": "total ascending"}, xaxis_tickformat=".0%")


# ---- the documents -------------------------------------------------------------------------


def _proposal(v: account.AccountView, language: str) -> Callable[[], bytes]:
    """The proposal's bytes when clicked, recorded against the account's open opportunities
    (商机: which version was sent, `pipeline.writes.record_proposal`) for a user who writes them."""
    who, con, name = current_user(), connection(db_path()), documents.file_name(v, "proposal", language)

    def make() -> bytes:
        data = documents.docx_bytes(v, "proposal", language)
        if who is not None and who.role in pipeline_writes.WRITERS:
            pipeline_writes.record_proposal(con, who, v.account_id, language=language, file_name=name, data=data)
        return data

    return make


def document_downloads(v: account.AccountView) -> None:
    """Two download buttons side by side — the customer's proposal (服务方案) and the manager's
    internal brief (客户经营简报) — each Word document written only when clicked (and audited; the
    proposal also recorded against the account's open opportunities)."""
    for kind, where, icon in zip(
        documents.KINDS, st.columns(2), (":material/description:", ":material/lock:"), strict=True
    ):
        tables.download(
            _proposal(v, lang()) if kind == "proposal" else functools.partial(documents.docx_bytes, v, kind, lang()),
            file_name=documents.file_name(v, kind, lang()),
            key=f"account_{kind}",
            what=f"account {v.account_id} {kind}",
            text=t(f"documents.download.{kind}"),
            mime=documents.DOCX_MIME,
            help=t(f"documents.download.{kind}_help"),
            icon=icon,
            where=where,
        )
