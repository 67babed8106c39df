"""needsmine — 集团客户需求挖掘工作台. The frame: page config, warehouse check, navigation."""

import streamlit as st

from analytics import cache

st.set_page_config(page_title="集团客户需求挖掘工作台", page_icon="📶", layout="wide")

path = cache.db_path()
cache.ready(path)

st.navigation([st.Page("pages/warehouse.py", title="数据概览", icon="🏢", default=True)]).run()
