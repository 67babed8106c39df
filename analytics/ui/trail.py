"""The signed-in user's events on the audit trail (analytics/access/audit.py writes them): a change,
an admin action, the view of a page or an account."""

from __future__ import annotations

import streamlit as st

from analytics.access import audit
from analytics.ui.connection import cursor
from analytics.ui.signin import current_user

_LAST_VIEWED = "_last_viewed"


def record(action: str, obj: str, detail: str | None = None) -> None:
    """Write an event of the signed-in user to the audit trail."""
    who = current_user()
    audit.record(cursor(), who.username if who else "—", who.role if who else None, action, obj, detail)


def record_view(obj: str) -> None:
    """A 'view' event when the user opens something other than what they viewed last (a rerun of
    the same page or account is not a new view)."""
    if st.session_state.get(_LAST_VIEWED) != obj:
        st.session_state[_LAST_VIEWED] = obj
        record("view", obj)
