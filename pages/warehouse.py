"""数据概览: the warehouse's headline figures (what was loaded, how much, up to when)."""

import streamlit as st

from analytics.common import formats
from analytics.ui import charts, routing
from analytics.ui import warehouse as ui
from analytics.ui.connection import db_path
from analytics.ui.language import t

routing.require_app(__file__)
path = db_path()
h = ui.headline(path)

st.title(t("warehouse.title"))
st.caption(t("warehouse.caption", path=path, month=h.latest_month))

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("warehouse.accounts"), f"{h.account_count:,}", help=t("warehouse.accounts_help"))
c2.metric(t("warehouse.active"), f"{h.active_account_count:,}")
c3.metric(t("warehouse.key"), f"{h.key_account_count:,}")
c4.metric(t("warehouse.managers"), f"{h.manager_count:,}", help=t("warehouse.managers_help", n=h.district_count))
c5, c6 = st.columns(2)
c5.metric(
    t("warehouse.revenue", month=h.latest_month),
    formats.wan(h.revenue_yuan),
    delta=None if h.revenue_change is None else t("warehouse.mom", change=h.revenue_change),
)
c6.metric(t("warehouse.billed", month=h.latest_month), f"{h.billed_account_count:,}")

charts.plot(ui.revenue_figure(ui.revenue_by_area(path)))
