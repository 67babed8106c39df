"""数据导入 (data stewards, admins): the month's operator exports in through the browser, checked
by the importer (the same as `needsmine import`), applied in one transaction, on the audit trail."""

import streamlit as st

from analytics.ui import data_import as ui
from analytics.ui import routing
from analytics.ui.connection import db_path
from analytics.ui.language import t

routing.require_app(__file__)
st.title(t("data_import.title"))
ui.page(db_path())
