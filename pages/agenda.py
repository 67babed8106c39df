"""我的待办 (my agenda), the managers' landing page: what is overdue, due today and this week for
one manager's accounts, by the guideline's rules and the manager's own opportunities; exportable
to Excel and to the phone's calendar (.ics). A head picks the manager."""

import streamlit as st

from analytics.ui import agenda, opportunities, routing
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import t

routing.require_app(__file__)
path = db_path()
filters = current_filters()

st.title(t("agenda.title"))
choices = opportunities.managers(path, filters)
if choices.empty:
    st.info(t("agenda.no_managers"))
    st.stop()
manager_id = opportunities.manager_choice(filters, choices, key="agenda_manager")
agenda.agenda_page(filters, manager_id, opportunities.manager_name(choices, manager_id))
