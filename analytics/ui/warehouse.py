"""Cached wrappers for the data overview page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.ui.frame import connection
from analytics.views import warehouse as overview


@st.cache_data(show_spinner=False)
def headline(path: str) -> overview.Headline:
    return overview.headline(connection(path).cursor())


@st.cache_data(show_spinner=False)
def revenue_by_area(path: str) -> pd.DataFrame:
    return overview.revenue_by_area(connection(path).cursor())
