"""The warehouse as the UI reaches it: its path, the one cached connection per server and a cursor
per query, and its preparation on a fresh clone (demo → build → train → score) behind a progress bar."""

from __future__ import annotations

import duckdb
import streamlit as st

from analytics import config
from analytics.models import preparation
from analytics.ui.language import t
from analytics.warehouse import db


def db_path() -> str:
    """The warehouse file this server reads (see analytics/config.py)."""
    return str(config.db_path())


@st.cache_resource(show_spinner=False)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    """One connection per server; each query takes its own cursor (DuckDB's way for threads)."""
    return db.connect(path)


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the server's connection, for one query or one transaction."""
    return connection(db_path()).cursor()


@st.cache_resource(show_spinner=False)
def _prepared(path: str) -> bool:
    bar = st.progress(0.0, text=t("app.preparing"))

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{t('app.preparing')}  {message}")

    preparation.prepare(config.db_path(path), progress)
    bar.empty()
    return True


def ensure_ready(path: str) -> None:
    """On a fresh clone: generate the demo, build, train and score, with a progress bar (once per
    server; a prepared warehouse is left as it is)."""
    _prepared(path)
