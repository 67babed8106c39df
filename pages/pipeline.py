"""商机漏斗 (the pipeline) for heads: the funnel by stage, district and manager, conversion and
cycle time, stalled opportunities, lost reasons by competitor, and the stage-weighted forecast of
signed value against each district's and manager's quarterly target."""

import streamlit as st

from analytics.common import rules
from analytics.ui import charts, routing
from analytics.ui import funnel as ui
from analytics.ui.filters import current_filters
from analytics.ui.language import t
from analytics.views.pipeline import funnel

routing.require_app(__file__)
filters = current_filters()
p = rules.load().pipeline

st.title(t("funnel.title"))
st.caption(t("funnel.caption"))
frame, changes, target_rows = ui.data(filters)
if frame.empty:
    st.info(t("app.no_rows"))
    st.stop()

tab_funnel, tab_flow, tab_stalled, tab_lost, tab_forecast = st.tabs(
    [
        t("funnel.tab.funnel"),
        t("funnel.tab.flow"),
        t("funnel.tab.stalled"),
        t("funnel.tab.lost"),
        t("funnel.tab.forecast"),
    ]
)
with tab_funnel:
    stages = funnel.by_stage(frame, p)
    charts.plot(ui.funnel_figure(stages))
    ui.stage_table(stages)
    st.subheader(t("funnel.by_district"))
    ui.group_table(funnel.by_group(frame, p, "district"), "funnel_districts")
    st.subheader(t("funnel.by_owner"))
    ui.group_table(funnel.by_group(frame, p, "owner"), "funnel_owners")
with tab_flow:
    st.caption(t("funnel.flow_caption"))
    ui.conversion_table(funnel.conversion(changes, p))
with tab_stalled:
    ui.stalled_table(funnel.stalled(frame, p), p.stalled_days)
with tab_lost:
    ui.lost_table(funnel.lost_reasons(frame, p))
with tab_forecast:
    st.caption(t("funnel.forecast_caption"))
    months = funnel.forecast_by_month(frame, p)
    charts.plot(ui.forecast_figure(months))
    ui.month_table(months)
    ui.targets_section(funnel.against_targets(frame, target_rows, p))
