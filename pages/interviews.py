"""走访记录: log an interview or call — the needs in the four areas suggested from the notes as
they are typed — and see service contacts against the quota of each account's class."""

import streamlit as st

from analytics.common import formats
from analytics.ui import compliance as ui
from analytics.ui import forms, pipeline, routing, tables
from analytics.ui.connection import connection, db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import lang, t
from analytics.views import compliance
from analytics.views.daily_work import records

routing.require_app(__file__)
filters = current_filters()
rules = ui.current_rules()

st.title(t("interviews.title"))
as_of = ui.period_picker("interviews_period")
st.caption(t("interviews.caption", as_of=as_of, quotas=ui.quota_text(rules)))

with st.expander(t("interviews.form"), expanded=True):
    forms.interview_form(filters)

visits = ui.visits(db_path(), filters, as_of, rules)
under = compliance.under_served(visits)
c1, c2, c3 = st.columns(3)
c1.metric(t("interviews.accounts"), f"{len(visits):,}")
c2.metric(t("interviews.under"), f"{len(under):,}", help=t("interviews.under_help"))
c3.metric(t("interviews.under_share"), formats.share(len(under), len(visits)))

st.subheader(t("interviews.quota_title"))
only_under = st.toggle(t("interviews.only_under"), value=True, key="interviews_only_under")
tables.table(
    under if only_under else visits,
    "compliance",
    key="interviews_visits",
    worded=ui.worded("visits"),
    file_name="interviews_visits.csv",
)

recent = ui.interactions(db_path(), filters, as_of)

st.subheader(t("interviews.read_title"))
st.caption(t("interviews.read_caption"))


@st.cache_resource(show_spinner=False)
def _notes_model(path: str):
    return records.load_notes_model(path)


tables.table(
    records.read_table(connection(db_path()).cursor(), _notes_model(str(db_path())), recent, lang()),
    "interviews",
    key="interviews_read",
    file_name="interviews_read.csv",
)

# The month's list last (below what is read from its notes).
st.subheader(t("interviews.recent_title", month=f"{as_of:%Y-%m}"))
tables.table(
    recent, "compliance", key="interviews_recent", worded=ui.worded("interactions"), file_name="interviews_recent.csv"
)

st.subheader(t("pipeline.need_title"))
pipeline.need_action(recent, filters.month, pipeline.open_opportunities())
pipeline.create_form(filters)
