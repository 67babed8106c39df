"""Signing an AppTest in: the frame shows nothing but the sign-in form to nobody."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analytics.access import auth

DEPARTMENT_HEAD = auth.User("head", "集团客户部负责人", "head")


def signed_in(at: AppTest, user: auth.User = DEPARTMENT_HEAD) -> AppTest:
    """`at` with `user` signed in (the department head: every account, every page but admin)."""
    at.session_state["_user"] = user
    return at
