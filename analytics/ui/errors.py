"""What a user sees when something fails: a plain message with a reference number, never a
traceback or a server path. The traceback goes to the operations log (analytics/common/logs.py)
under the same reference, so that an admin finds it from what the user reads out.

Streamlit's own error display is off (`client.showErrorDetails = "none"` in .streamlit/config.toml).
In development (`showErrorDetails` full or stacktrace, e.g. STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=full,
as the tests run) the error is raised on after being logged, so that Streamlit shows it whole.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from analytics.common import logs
from analytics.ui.language import t

_DEVELOPMENT = {"full", "stacktrace", "true", "True", True}


def reference() -> str:
    """A reference for one failure: the time it happened (Asia/Shanghai is not assumed: the
    server's clock, as the log's) and four random hex digits, e.g. E20261202-171512-3fa9."""
    return f"E{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def development() -> bool:
    """Whether Streamlit is set to show error details (development, tests)."""
    return st.get_option("client.showErrorDetails") in _DEVELOPMENT


@contextmanager
def shown_plainly(where: str) -> Iterator[None]:
    """Run the block; an exception in it is logged with its traceback and a reference number, and
    the user sees only the plain message with that reference (Streamlit's stop and rerun pass)."""
    try:
        yield
    except Exception:
        ref = reference()
        logs.logger("ui").exception("error %s in %s", ref, where)
        if development():
            raise
        st.error(t("errors.plain", ref=ref))
