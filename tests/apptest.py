"""Signing an AppTest in (the frame shows nothing but the sign-in form to nobody), what its tables
say about their columns, and its downloads clicked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.warehouse import db

DEPARTMENT_HEAD = auth.User("head", "集团客户部负责人", "head")


def signed_in(at: AppTest, user: auth.User = DEPARTMENT_HEAD) -> AppTest:
    """`at` with `user` signed in (the department head: every account, every page but admin)."""
    at.session_state["_user"] = user
    return at


def unlabelled_columns(at: AppTest) -> list[str]:
    """The columns of the tables `at` shows that have no column config with a header, or are
    hidden (a None config hides a column in the browser): "table 2: manager_name"."""
    missing = []
    for number, table in enumerate(at.dataframe):
        config = json.loads(table.proto.columns or "{}")
        for column in table.value.columns:
            settings = config.get(str(column)) or {}
            if settings.get("hidden") or not settings.get("label"):
                missing.append(f"table {number}: {column}")
    return missing


def offered_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Filled as the app runs: the files its download buttons offer, by file name, each a function
    that writes the file as a click on its button does (the files are written only when clicked)."""
    offered: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return offered


def exports(path: Path) -> list[tuple[str, str, str, str]]:
    """The audit trail's exports in warehouse `path`: (username, role, object, file name), oldest first."""
    with db.connect(path) as con:
        return con.execute(
            "select username, role, object, detail from audit_log where action = 'export' order by event_id"
        ).fetchall()
