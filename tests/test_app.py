"""The dashboard frame through AppTest, on the session's demo warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def app(demo_path, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(demo_path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_headline_figures_match_the_warehouse(app, demo_path):
    app.run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    with db.connect(demo_path, read_only=True) as con:
        accounts, key = con.execute("select count(*), count(*) filter (where is_key_account) from accounts").fetchone()
        revenue = con.execute(
            "select sum(revenue_yuan) from billing_monthly where billing_month = (select max(billing_month) from billing_monthly)"
        ).fetchone()[0]
    assert shown["集团客户"] == f"{accounts:,}"
    assert shown["重要集团"] == f"{key:,}"
    revenue_label = next(label for label in shown if "出账收入" in label)
    assert shown[revenue_label] == f"{float(revenue) / 1e4:,.1f}"


def test_a_fresh_clone_builds_the_demo_itself(tmp_path, monkeypatch):
    from analytics import warehouse

    monkeypatch.setattr(warehouse, "DEMO_ACCOUNTS", 80)
    path = tmp_path / "fresh" / "needsmine.duckdb"
    assert warehouse.ensure_demo(path) is True
    assert warehouse.has_data(path)
    assert warehouse.ensure_demo(path) is False  # built once, then reused
