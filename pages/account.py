"""客户视图: one account — profile, consumption structure, peers, churn risk, opportunities, service log."""

import streamlit as st

from analytics.common import formats
from analytics.ui import account as ui
from analytics.ui import charts, pipeline, routing, signin, tables, text, trail
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters, scored_month_or_stop
from analytics.ui.language import label, lang, t
from analytics.views.account import view as acc

routing.require_app(__file__)
path = db_path()
f = current_filters()
st.title(t("account.title"))
scored_month_or_stop(f)
chosen = ui.pick_account(path, f)
if chosen is None:
    st.stop()
v = ui.view(path, chosen, f.month, f.scope_managers, signin.sees_personal_data(), lang())
trail.record_view(f"account {chosen}")
month = f"{v.month:%Y-%m}"
p = v.profile

st.subheader(text.markdown(v.name), anchor=False)  # an imported name, shown as text
if p["is_key_account"]:
    st.badge(t("account.key_badge"), icon=":material/star:", color="orange")
if v.is_at_risk:  # the one definition: on the retention page's list, counted by the portfolio
    st.badge(t("account.at_risk_badge"), icon=":material/warning:", color="red")
st.caption(
    text.fill(
        "account.caption",
        id=v.account_id,
        industry=label("industry", p["industry"]),
        district=label("district", p["district"]),
        klass=label("class", p["value_class"]),
        manager=f"{p['manager_id']} {p.get('manager_name') or ''}",
    )
)
change = v.revenue_change_mom
score = v.score or {}
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(
    t("account.metric.revenue", month=month),
    formats.yuan(v.revenue_yuan),
    delta=None if change is None else t("account.mom", change=change),
)
c2.metric(t("account.metric.revenue_12m"), formats.yuan(v.revenue_12m_yuan))
c3.metric(t("account.metric.churn"), formats.percent(score.get("churn_probability")))
c4.metric(t("account.metric.at_risk"), formats.yuan(score.get("revenue_at_risk_yuan")))
c5.metric(t("account.metric.opportunity"), formats.yuan(score.get("opportunity_value_yuan")))
ui.document_downloads(v)

tabs = st.tabs(
    [
        t("account.tab.profile"),
        t("account.tab.consumption"),
        t("account.tab.peers"),
        t("account.tab.risk"),
        t("account.tab.opportunities"),
        t("account.tab.service"),
    ]
)
with tabs[0]:
    left, right = st.columns([2, 3])
    tables.table(ui.table_of("profile", v), where=left)
    right.markdown(f"**{t('account.contacts')}**")
    tables.table(ui.table_of("contacts", v), where=right)
with tabs[1]:
    left, right = st.columns([2, 3])
    charts.plot(ui.area_figure(v), left)
    charts.plot(ui.trend_figure(v), right)
    st.markdown(f"**{t('account.products', month=month)}**")
    if v.structure.empty:
        st.info(t("account.no_billing"))
    else:
        tables.table(ui.table_of("structure", v))
with tabs[2]:
    if v.peers.empty:
        st.info(t("account.no_peers"))
    else:
        st.caption(ui.peers_caption(v))
        if fallback := ui.peers_fallback(v):  # the industry × size band had too few accounts
            st.info(fallback, icon=":material/groups:")
        charts.plot(ui.peers_figure(v))
        tables.table(ui.table_of("peers", v))
with tabs[3]:
    if v.score is None:
        st.info(t("account.no_score"))
    else:
        r1, r2, r3 = st.columns(3)
        r1.metric(t("account.metric.churn"), formats.percent(v.score["churn_probability"]))
        r2.metric(t("account.metric.at_risk"), formats.yuan(v.score["revenue_at_risk_yuan"]))
        r3.metric(t("account.metric.revenue_12m"), formats.yuan(v.score["revenue_12m_yuan"]))
        st.markdown(f"**{t('account.reasons')}**")
        tables.table(ui.table_of("reasons", v))  # direction and strength in words, not log-odds
        st.caption(t("account.risk_caption"))
with tabs[4]:
    in_pipeline = pipeline.open_opportunities(v.account_id)
    here = {"account_id": v.account_id, "account_name": v.name, "manager_id": p["manager_id"]}
    scored = v.month if v.score is not None else None
    for column, card in zip(st.columns(4), v.opportunities().itertuples(), strict=True):
        with column.container(border=True):
            st.markdown(f"**{label('area', card.area)}**")
            st.metric(t("account.card.propensity"), formats.percent(card.propensity))
            st.metric(t("account.card.value"), formats.yuan(card.expected_value_yuan))
            st.caption(t("account.card.needs", n=card.interview_count, months=acc.NEEDS_MONTHS))
            if card.products.empty:
                st.caption(t("account.card.no_products"))
            else:
                st.caption(t("account.card.product_count", n=len(card.products)))
            pipeline.card_action(here, card.area, scored, in_pipeline)
    pipeline.create_form(f)
    if fallback := ui.peers_fallback(v):
        st.info(fallback, icon=":material/groups:")
    st.markdown(f"**{t('account.all_products')}**")
    if v.recommendations.empty:
        st.caption(t("account.card.no_products"))
    else:
        # full width: the yuan figures are never cut; those already in an open opportunity marked
        tables.table(pipeline.with_marks(ui.all_recommendations(v), v.recommendations, v.account_id, in_pipeline))
        pipeline.recommendation_action(here, v.recommendations, scored, in_pipeline)
    st.markdown(f"**{t('pipeline.account_title')}**")
    pipeline.account_list(v.account_id)
    st.markdown(f"**{t('account.scope_title')}**")
    ui.scope_findings(v)
with tabs[5]:
    st.markdown(f"**{t('account.interviews')}**")
    if v.interviews.empty:
        st.caption(t("account.none"))
    else:
        ui.interview_list(v)  # every note whole, as text
    for title, frame, table in [
        ("account.complaints", v.complaints, "complaints"),
        ("account.reports", v.competitor_reports, "reports"),
    ]:
        st.markdown(f"**{t(title)}**")
        if frame.empty:
            st.caption(t("account.none"))
        else:
            tables.table(ui.table_of(table, v))
