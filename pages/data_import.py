"""数据导入 (data stewards, admins): the month's operator exports in through the browser."""

import streamlit as st

from analytics.ui import routing
from analytics.ui.language import t

routing.require_app(__file__)
st.title(t("data_import.title"))
