"""我的商机 (my opportunities) for account managers: every account of one manager this month, its
churn risk and its best opportunities, in one priority ranking; exportable to Excel."""

import streamlit as st

from analytics.common import formats
from analytics.ui import opportunities, pipeline, routing, tables, text
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters, scored_month_or_stop
from analytics.ui.language import lang, t
from analytics.views import opportunities as logic

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
with follow_tab:  # the manager's open opportunities: stage, next step, close
    pipeline.follow_up(pipeline.of_manager(in_pipeline, manager_id))
with list_tab:
    st.caption(text.fill("opportunities.caption", month=month, name=f"{manager_id} {name}", n=len(listed)))
    if listed.empty:
        st.info(t("app.no_rows"))
        st.stop()

    s = logic.summary(listed, logic.in_service_count(choices, manager_id))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("opportunities.accounts"), f"{s.account_count:,}")
    c2.metric(t("opportunities.revenue_at_risk"), formats.wan(s.revenue_at_risk_yuan))
    c3.metric(t("opportunities.opportunity_value"), formats.wan(s.opportunity_value_yuan))
    c4.metric(t("opportunities.retain_count"), f"{s.retain_count:,}")

    st.caption(t("opportunities.rule"))
    shown = opportunities.displayed(listed)
    # what to sell and why beside the account, wrapped in their cells so that they read whole
    tables.table(
        opportunities.on_screen(pipeline.list_marks(shown, listed, in_pipeline)),
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
