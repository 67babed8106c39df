"""组合总览 (portfolio overview) for department heads: which accounts are at risk, how much revenue
is at stake, and where — by district and by manager — within the sidebar's filters."""

import streamlit as st

from analytics.common import formats, rules
from analytics.ui import charts, portfolio, routing, tables
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters, scored_month_or_stop
from analytics.ui.language import lang, t

routing.require_app(__file__)
path = db_path()
filters = current_filters()
month = f"{filters.month:%Y-%m}"

st.title(t("portfolio.title"))
threshold = rules.at_risk_probability()
st.caption(t("portfolio.caption", month=month, threshold=threshold))
scored_month_or_stop(filters)

summary = portfolio.summary(path, filters, threshold)
h = summary.headline
c1, c2, c3, c4, c5 = st.columns(5)
accounts, at_risk_accounts = f"{h.accounts.value:,.0f}", f"{h.at_risk_accounts.value:,.0f}"
portfolio.metric(c1, "accounts", accounts, h.accounts, relative=False)
portfolio.metric(c2, "revenue", formats.wan(h.revenue_yuan.value), h.revenue_yuan)
portfolio.metric(c3, "revenue_at_risk", formats.wan(h.revenue_at_risk_yuan.value), h.revenue_at_risk_yuan, inverse=True)
portfolio.metric(c4, "opportunity_value", formats.wan(h.opportunity_value_yuan.value), h.opportunity_value_yuan)
portfolio.metric(
    c5, "at_risk_accounts", at_risk_accounts, h.at_risk_accounts, relative=False, inverse=True, threshold=threshold
)

tabs = ["tab_at_risk", "tab_district", "tab_manager", "tab_distribution"]
tab_risk, tab_district, tab_manager, tab_distribution = st.tabs([t(f"portfolio.{tab}") for tab in tabs])

with tab_risk:
    top_n = st.segmented_control(t("portfolio.top_n"), [50, 100, 200], default=50, key="portfolio_top_n") or 50
    risky = portfolio.at_risk_shown(portfolio.at_risk(path, filters, top_n, lang(), threshold))
    st.caption(t("portfolio.at_risk_caption", n=len(risky), threshold=threshold))
    # reasons and the action taken wrap in their cells: read whole, with the link, on one screen
    tables.table(risky, "portfolio", key="portfolio_at_risk", file_name=f"at_risk_{month}.csv", wrap=True)

with tab_district:
    districts = portfolio.displayed(summary.by_district)
    if not districts.empty:
        charts.plot(portfolio.money_chart(districts, "district", t("portfolio.chart_district")))
    tables.table(districts, "portfolio", key="portfolio_district", file_name=f"by_district_{month}.csv")

with tab_manager:
    managers = portfolio.displayed(summary.by_manager.rows)
    st.caption(t("portfolio.manager_caption", shown=len(managers), total=summary.by_manager.total))
    if not managers.empty:
        charts.plot(portfolio.manager_chart(managers))
    tables.table(managers, "portfolio", key="portfolio_manager", file_name=f"by_manager_{month}.csv")

with tab_distribution:
    bands = portfolio.displayed(portfolio.band_labels(portfolio.risk_bands(path, filters)))
    st.caption(t("portfolio.distribution_caption"))
    charts.plot(portfolio.risk_chart(bands))
    tables.table(bands, "portfolio", key="portfolio_bands", file_name=f"risk_bands_{month}.csv")
