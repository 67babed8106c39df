"""客户挽留: accounts at risk by the churn scores and the rules, ranked by the expected revenue
saved of the action recommended for each (with its reasons, and the holdout left alone), the
retention actions taken for them (what, who, when) with their status and outcome, and the measured
effect of each action kind (the success rate where the data does not allow one)."""

import dataclasses

import streamlit as st

from analytics.ui import compliance as ui
from analytics.ui import forms, retention, routing, tables
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import t
from analytics.views import compliance

routing.require_app(__file__)
filters = current_filters()
rules = ui.current_rules()

st.title(t("retention.title"))
as_of = ui.period_picker("retention_period")
month = ui.score_month(db_path(), as_of)
st.caption(
    t(
        "retention.caption",
        month=f"{month:%Y-%m}" if month else "—",
        p=rules.churn_probability_at_least,
        months=rules.action_lookback_months,
    )
)

risky = ui.at_risk(db_path(), filters, as_of, rules)
actions = ui.actions(db_path(), filters, as_of)
outcomes = compliance.retention_outcomes(actions)
without = compliance.without_action(risky)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("retention.at_risk"), f"{len(risky):,}")
c2.metric(t("retention.without"), f"{len(without):,}")
c3.metric(t("retention.open"), f"{outcomes.open_actions:,}")
measured = retention.effects()
retention.effect_metric(c4, measured, outcomes)

st.subheader(t("retention.at_risk_title"))
st.caption(t("retention.ranked_caption"))
ranked = retention.ranked(filters, as_of, rules, month)
retention.held_out_note(ranked)
only_without = st.toggle(t("retention.only_without"), key="retention_only_without")
tables.table(
    compliance.without_action(ranked) if only_without else ranked,
    "compliance",
    key="retention_at_risk",
    worded=ui.worded("ranked_at_risk", dataclasses.replace(filters, month=month) if month else None),
    file_name="retention_at_risk.csv",
    wrap=True,
)
retention.expected_section(ranked)
retention.effects_section(measured)
retention.holdout_control()

left, right = st.columns(2)
with left:
    st.subheader(t("retention.record_title"))
    forms.retention_action_form(filters, list(without["account_id"]) + list(risky["account_id"]))
with right:
    st.subheader(t("retention.update_title"))
    forms.action_update_form(actions)

st.subheader(t("retention.actions_title"))
tables.table(
    actions, "compliance", key="retention_actions", worded=ui.worded("actions"), file_name="retention_actions.csv"
)
