"""needsmine — 集团客户需求挖掘工作台. The frame: page config, language, shared filters, navigation."""

import streamlit as st

from analytics.ui import frame
from analytics.ui.frame import t

st.set_page_config(page_title="集团客户需求挖掘工作台 · needsmine", page_icon=":material/insights:", layout="wide")

frame.mark_framed()
frame.ensure_ready(frame.db_path())
frame.language_switch()

pages = {
    t("group.insight"): [
        st.Page("pages/portfolio.py", title=t("page.portfolio"), icon=":material/dashboard:", url_path="portfolio", default=True),
        st.Page("pages/account.py", title=t("page.account"), icon=":material/apartment:", url_path="account"),
        st.Page("pages/opportunities.py", title=t("page.opportunities"), icon=":material/target:", url_path="opportunities"),
        st.Page("pages/trends.py", title=t("page.trends"), icon=":material/trending_up:", url_path="trends"),
        st.Page("pages/model_quality.py", title=t("page.model_quality"), icon=":material/science:", url_path="model-quality"),
    ],
    t("group.daily"): [
        st.Page("pages/compliance.py", title=t("page.compliance"), icon=":material/rule:", url_path="compliance"),
        st.Page("pages/competitor_reports.py", title=t("page.competitor_reports"), icon=":material/swords:", url_path="competitor-reports"),
        st.Page("pages/interviews.py", title=t("page.interviews"), icon=":material/edit_note:", url_path="interviews"),
        st.Page("pages/retention.py", title=t("page.retention"), icon=":material/support:", url_path="retention"),
    ],
    t("group.data"): [
        st.Page("pages/warehouse.py", title=t("page.warehouse"), icon=":material/database:", url_path="warehouse"),
    ],
}
navigation = st.navigation(pages)
frame.route_wanted_page()
frame.sidebar_filters()
navigation.run()
