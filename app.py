"""needsmine — 集团客户需求挖掘工作台. The frame around every page: page config, sign-in, language,
shared filters, and the navigation from the page registry (analytics/access/pages.py), with its one
access check and page-view record before the page runs."""

import streamlit as st

from analytics.ui import connection, errors, filters, language, routing, signin

st.set_page_config(page_title="集团客户需求挖掘工作台 · needsmine", page_icon=":material/insights:", layout="wide")

# a failure anywhere below: a plain message with a reference number; the traceback only in the log
with errors.shown_plainly("app"):
    connection.ensure_ready(connection.db_path())
    language.language_switch()
    signin.write_session_cookie()
    if signin.signed_in_user() is None:
        routing.remember_asked_page()  # a link opened before signing in leads there afterwards
        routing.hide_navigation()
        signin.sign_in_form()  # stops the run

    page = st.navigation(routing.navigation_pages(), expanded=True)  # every page listed, no "View more"
    filters.sidebar_filters()
    signin.sign_out_button()
    routing.open_page(page)
