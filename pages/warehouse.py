"""数据概览: the warehouse's headline figures."""

import plotly.express as px
import streamlit as st

from analytics import cache

path = cache.db_path()
h = cache.headline(path)

st.title("集团客户需求挖掘工作台")
st.caption(f"数据仓库：{path} · 最新账期 {h.latest_month}")

c1, c2, c3, c4 = st.columns(4)
c1.metric("集团客户", f"{h.account_count:,}", help="档案中的集团客户数（含潜在、离网）")
c2.metric("在网集团", f"{h.active_account_count:,}")
c3.metric("重要集团", f"{h.key_account_count:,}")
c4.metric("客户经理", f"{h.manager_count:,}", help=f"分布在 {h.district_count} 个区县")
c5, c6 = st.columns(2)
c5.metric(
    f"{h.latest_month} 出账收入（万元）",
    f"{h.revenue_yuan / 1e4:,.1f}",
    delta=None if h.revenue_change is None else f"{h.revenue_change:+.1%} 环比",
)
c6.metric(f"{h.latest_month} 出账集团", f"{h.billed_account_count:,}")

by_area = cache.revenue_by_area(path)
fig = px.area(
    by_area,
    x="billing_month",
    y="revenue_wan_yuan",
    color="area_label",
    labels={"billing_month": "账期", "revenue_wan_yuan": "收入（万元）", "area_label": "信息化领域"},
    title="四大领域月收入",
)
st.plotly_chart(fig, width="stretch")
