"""客户视图: one account — profile, consumption structure, peers, churn risk, opportunities, service log."""

import streamlit as st

from analytics.ui import account as ui
from analytics.ui import frame
from analytics.ui.frame import current_filters, db_path, label, scored_month_or_stop, t
from analytics.views.account import view as acc

frame.require_frame(__file__)
path = db_path()
f = current_filters()
st.title(t("account.title"))
scored_month_or_stop(f)
chosen = ui.pick_account(path, f)
if chosen is None:
    st.stop()
v = ui.view(path, chosen, f.month, f.scope_managers, frame.sees_personal_data())
frame.record_view(f"account {chosen}")
month = f"{v.month:%Y-%m}"
p = v.profile

st.subheader(v.name, anchor=False)
if p["is_key_account"]:
    st.badge(t("account.key_badge"), icon=":material/star:", color="orange")
st.caption(t("account.caption", id=v.account_id, industry=label("industry", p["industry"]),
             district=label("district", p["district"]), klass=label("class", p["value_class"]),
             manager=f"{p['manager_id']} {p.get('manager_name') or ''}"))  # fmt: skip
change = v.revenue_change_mom
score = v.score or {}
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("account.metric.revenue", month=month), acc.yuan(v.revenue_yuan),
          delta=None if change is None else t("account.mom", change=change))  # fmt: skip
c2.metric(t("account.metric.revenue_12m"), acc.yuan(v.revenue_12m_yuan))
c3.metric(t("account.metric.churn"), acc.percent(score.get("churn_probability")))
c4.metric(t("account.metric.at_risk"), acc.yuan(score.get("revenue_at_risk_yuan")))
c5.metric(t("account.metric.opportunity"), acc.yuan(score.get("opportunity_value_yuan")))
ui.proposal_download(v)

tabs = st.tabs([t("account.tab.profile"), t("account.tab.consumption"), t("account.tab.peers"),
                t("account.tab.risk"), t("account.tab.opportunities"), t("account.tab.service")])  # fmt: skip
with tabs[0]:
    left, right = st.columns([2, 3])
    left.dataframe(ui.table("profile", v), hide_index=True, width="stretch")
    right.markdown(f"**{t('account.contacts')}**")
    right.dataframe(ui.table("contacts", v), hide_index=True, width="stretch")
with tabs[1]:
    left, right = st.columns([2, 3])
    left.plotly_chart(ui.area_figure(v), width="stretch")
    right.plotly_chart(ui.trend_figure(v), width="stretch")
    st.markdown(f"**{t('account.products', month=month)}**")
    if v.structure.empty:
        st.info(t("account.no_billing"))
    else:
        st.dataframe(ui.table("structure", v), hide_index=True, width="stretch")
with tabs[2]:
    if v.peers.empty:
        st.info(t("account.no_peers"))
    else:
        first = v.peers.iloc[0]
        st.caption(t("account.peers_caption", industry=label("industry", p["industry"]), band=p["size_band"],
                     n=int(first["peer_account_count"]), month=f"{first['billing_month']:%Y-%m}"))  # fmt: skip
        st.plotly_chart(ui.peers_figure(v), width="stretch")
        st.dataframe(ui.table("peers", v), hide_index=True, width="stretch")
with tabs[3]:
    if v.score is None:
        st.info(t("account.no_score"))
    else:
        r1, r2, r3 = st.columns(3)
        r1.metric(t("account.metric.churn"), acc.percent(v.score["churn_probability"]))
        r2.metric(t("account.metric.at_risk"), acc.yuan(v.score["revenue_at_risk_yuan"]))
        r3.metric(t("account.metric.revenue_12m"), acc.yuan(v.score["revenue_12m_yuan"]))
        st.markdown(f"**{t('account.reasons')}**")
        st.dataframe(ui.table("reasons", v), hide_index=True, width="stretch")
        st.caption(t("account.risk_caption"))
with tabs[4]:
    for column, card in zip(st.columns(4), v.opportunities().itertuples(), strict=True):
        with column.container(border=True):
            st.markdown(f"**{label('area', card.area)}**")
            st.metric(t("account.card.propensity"), acc.percent(card.propensity))
            st.metric(t("account.card.value"), acc.yuan(card.expected_value_yuan))
            st.caption(t("account.card.needs", n=card.interview_count, months=acc.NEEDS_MONTHS))
            st.markdown(f"*{t('account.card.products')}*")
            if card.products.empty:
                st.caption(t("account.card.no_products"))
            else:
                st.dataframe(ui.recommendations_table(card.products), hide_index=True, width="stretch")
with tabs[5]:
    for title, frame, table in [("account.interviews", v.interviews, "interviews"),
                                ("account.complaints", v.complaints, "complaints"),
                                ("account.reports", v.competitor_reports, "reports")]:  # fmt: skip
        st.markdown(f"**{t(title)}**")
        if frame.empty:
            st.caption(t("account.none"))
        else:
            st.dataframe(ui.table(table, v), hide_index=True, width="stretch")
