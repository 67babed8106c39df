"""Drawing the manager's agenda (我的待办): counts by status, the items with a link to the form or
account, the Excel and iCalendar downloads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics.common import clock, rules
from analytics.common.filters import Filters
from analytics.ui import tables, text
from analytics.ui.connection import connection, db_path
from analytics.ui.language import lang, t
from analytics.views import agenda

ICS_MIME = "text/calendar"


@st.cache_data(show_spinner=False, ttl=300)
def cached_items(
    path: str, manager_id: str, today: dt.date, scope_managers: tuple[str, ...] | None, language: str
) -> list[agenda.Item]:
    """The agenda's items, read again after a form's write (`clear`) or five minutes at most (a
    write from another server process: the CLI, an import)."""
    con = connection(path).cursor()
    return agenda.items(con, manager_id, today, rules.load(), scope_managers=scope_managers, lang=language)


def clear() -> None:
    """A form wrote a row (a visit, a profile, a report, a retention action, an opportunity): the
    agenda is read again."""
    cached_items.clear()


def agenda_page(filters: Filters, manager_id: str, name: str) -> None:
    """One manager's agenda for today (Asia/Shanghai), within the user's reach."""
    today, language = clock.today(), lang()
    found = cached_items(db_path(), manager_id, today, filters.scope_managers, language)
    st.caption(
        text.fill(
            "agenda.caption",
            name=f"{manager_id} {name}".strip(),
            day=f"{today:%Y-%m-%d}",
            days=agenda.HORIZON_DAYS,
            agreement_days=agenda.AGREEMENT_DAYS,
        )
    )
    counts = agenda.counts(found, today)
    for column, status in zip(st.columns(len(agenda.STATUSES)), agenda.STATUSES, strict=True):
        column.metric(t(f"agenda.metric.{status}"), f"{counts[status]:,}")
    if not found:
        st.info(t("agenda.none"))
        return
    base = st.get_option("server.baseUrlPath") or ""
    table = agenda.frame(found, today, base)
    tables.table(agenda.shown(table, language), "agenda", key="agenda_items", wrap=True)
    c1, c2 = st.columns(2)
    tables.download(
        lambda: agenda.excel_bytes(table, language),
        file_name=f"agenda_{manager_id}_{today:%Y%m%d}.xlsx",
        key="agenda_xlsx",
        what=f"agenda {manager_id}",
        text=t("app.download_xlsx"),
        mime=tables.XLSX_MIME,
        where=c1,
    )
    now = dt.datetime.now(dt.UTC)
    tables.download(
        lambda: agenda.ics_bytes(found, manager_id, today, now, language, base),
        file_name=f"agenda_{manager_id}_{today:%Y%m%d}.ics",
        key="agenda_ics",
        what=f"agenda calendar {manager_id}",
        text=t("agenda.download_ics"),
        mime=ICS_MIME,
        where=c2,
    )
