"""我的商机 (my opportunities) for account managers: every account of one manager this month, its
churn risk and its best opportunities, in one priority ranking; exportable to Excel."""

import streamlit as st

from analytics.ui import opportunities, pipeline, routing, text
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters, scored_month_or_stop
from analytics.ui.language import lang, t

routing.require_app(__file__)
path = db_path()
filters = current_filters()
month = f"{filters.month:%Y-%m}"

st.title(t("opportunities.title"))
scored_month_or_stop(filters)

choices = opportunities.managers(path, filters)
if choices.empty:
    st.info(t("opportunities.no_managers"))
    st.stop()
manager_id = opportunities.manager_choice(filters, choices, key="opportunities_manager")
name = opportunities.manager_name(choices, manager_id)

listed = opportunities.accounts(path, filters, manager_id, lang())
in_pipeline = pipeline.open_opportunities()
list_tab, follow_tab = st.tabs([t("pipeline.tab.list"), t("pipeline.tab.follow_up")])
with list_tab:
    st.caption(text.fill("opportunities.caption", month=month, name=f"{manager_id} {name}", n=len(listed)))
    if listed.empty:
        st.info(t("app.no_rows"))
    else:
        opportunities.priority_list(listed, choices, manager_id, month, in_pipeline, filters)
with follow_tab:  # the manager's open opportunities: stage, next step, close
    pipeline.follow_up(pipeline.of_manager(in_pipeline, manager_id))
