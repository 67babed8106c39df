"""The data page (数据概览): cached headline figures and the revenue-by-area chart."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.ui import charts
from analytics.ui.connection import connection
from analytics.ui.language import label, t
from analytics.views import warehouse


@st.cache_data(show_spinner=False)
def headline(path: str) -> warehouse.Headline:
    return warehouse.headline(connection(path).cursor())


@st.cache_data(show_spinner=False)
def revenue_by_area(path: str) -> pd.DataFrame:
    return warehouse.revenue_by_area(connection(path).cursor())


@charts.cached
def revenue_figure(by_area: pd.DataFrame) -> go.Figure:
    """Monthly revenue (万元) stacked by area, the areas named in the user's language."""
    shown = by_area.assign(area_label=by_area["area"].map(lambda a: label("area", a)))
    return px.area(
        shown,
        x="billing_month",
        y="revenue_wan_yuan",
        color="area_label",
        title=t("warehouse.chart"),
        labels={
            "billing_month": t("warehouse.month"),
            "revenue_wan_yuan": t("warehouse.revenue_axis"),
            "area_label": t("warehouse.area"),
        },
    )
