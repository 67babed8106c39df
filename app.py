"""needsmine — 集团客户需求挖掘工作台. The frame: page config, sign-in, language, shared filters, navigation."""

import streamlit as st

from analytics.ui import frame
from analytics.ui.frame import t

st.set_page_config(page_title="集团客户需求挖掘工作台 · needsmine", page_icon=":material/insights:", layout="wide")

frame.mark_framed()
frame.ensure_ready(frame.db_path())
frame.language_switch()
frame.write_session_cookie()

# (file under pages/, group, icon, url path); each role sees only the pages it may open.
PAGES = [
    ("portfolio", "group.insight", ":material/dashboard:", "portfolio"),
    ("account", "group.insight", ":material/apartment:", "account"),
    ("opportunities", "group.insight", ":material/target:", "opportunities"),
    ("trends", "group.insight", ":material/trending_up:", "trends"),
    ("model_quality", "group.insight", ":material/science:", "model-quality"),
    ("compliance", "group.daily", ":material/rule:", "compliance"),
    ("competitor_reports", "group.daily", ":material/swords:", "competitor-reports"),
    ("interviews", "group.daily", ":material/edit_note:", "interviews"),
    ("retention", "group.daily", ":material/support:", "retention"),
    ("warehouse", "group.data", ":material/database:", "warehouse"),
    ("admin", "group.data", ":material/admin_panel_settings:", "admin"),
]
if frame.current_user() is None:
    # The sign-in form stops the run; the address asked for (a link to a page or an account)
    # is kept, so that signing in leads there.
    frame.sign_in_gate(frame.asked_page({url: name for name, _, _, url in PAGES}))

pages: dict[str, list] = {}
for name, group, icon, url in PAGES:
    if frame.may_open(name):
        page = st.Page(f"pages/{name}.py", title=t(f"page.{name}"), icon=icon, url_path=url)
        pages.setdefault(t(group), []).append(page)
navigation = st.navigation(pages)
frame.route_wanted_page()
frame.sidebar_filters()
frame.sign_out_button()
navigation.run()
