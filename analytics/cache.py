"""The one module of `analytics` that knows streamlit: cached wrappers the pages call."""

from __future__ import annotations

import streamlit as st

from analytics import config, db, overview, warehouse


def db_path() -> str:
    return str(config.db_path())


@st.cache_resource(show_spinner=False)
def ready(path: str) -> bool:
    """Build the demo warehouse on first start (once per server), with a progress bar."""
    bar = st.progress(0.0, text="正在生成演示数据…")

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    warehouse.ensure_demo(config.db_path(path), progress)
    bar.empty()
    return True


@st.cache_resource(show_spinner=False)
def connection(path: str):
    return db.connect(path, read_only=True)


@st.cache_data(show_spinner=False)
def headline(path: str) -> overview.Headline:
    return overview.headline(connection(path).cursor())


@st.cache_data(show_spinner=False)
def revenue_by_area(path: str):
    return overview.revenue_by_area(connection(path).cursor())
