"""The warehouse as the UI reaches it: its path, the one cached connection per server and a cursor
per query, and its preparation on a fresh clone (demo → build → train → score) behind a progress bar.

A warehouse the server cannot open (another process holds the file: a second server, a CLI
command writing) stops every run with one plain message and nothing else — no sign-in, no page
list; the holder and the way out go to the server's terminal and the operations log
(`<db>.log`, analytics/common/logs.py), which this module configures for the server."""

from __future__ import annotations

import sys

import duckdb
import streamlit as st

from analytics import config
from analytics.common import i18n, logs
from analytics.models import preparation
from analytics.ui import language
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
    lang = language.lang()
    bar = st.progress(0.0, text=t("app.preparing"))

    def progress(message: str, fraction: float) -> None:  # one language on the screen
        step = i18n.one_side(message, lang)
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{t('app.preparing')}  {step}")

    try:
        ran = preparation.prepare(config.db_path(path), progress)
    finally:
        bar.empty()
    logs.logger("ui").info("dashboard started on %s (prepared: %s)", path, ", ".join(ran) or "nothing to do")
    return True


def ensure_ready(path: str) -> None:
    """On a fresh clone: generate the demo, build, train and score, with a progress bar (once per
    server; a prepared warehouse is left as it is). A warehouse that cannot be opened stops the
    run (`unavailable`)."""
    logs.configure(path)
    try:
        _prepared(path)
        connection(path)
    except db.WarehouseLockedError as err:
        unavailable(str(err))
    except (duckdb.Error, OSError) as err:
        unavailable(f"{path}: {type(err).__name__}: {err}")


def unavailable(detail: str) -> None:
    """Tell whoever opens the dashboard, plainly, that the warehouse cannot be opened, and stop:
    the details (holder, file, way out) go to the server's terminal and log only. A hidden
    navigation of this one message replaces the page list Streamlit would show for `pages/`."""
    logs.logger("ui").error("warehouse unavailable: %s", detail)
    print(f"needsmine: {detail}", file=sys.stderr, flush=True)

    def message() -> None:
        st.title(t("app.title"))
        st.error(t("operations.unavailable"))

    st.navigation([st.Page(message, title=t("app.title"))], position="hidden").run()
    st.stop()
