"""The dashboard frame through AppTest, on the session's prepared demo warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.common import i18n
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


def open_app(path: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def test_headline_figures_match_the_warehouse(scored_path, monkeypatch):
    at = open_app(scored_path, monkeypatch, "pages/warehouse.py")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    with db.connect(scored_path) as con:
        accounts, key = con.execute("select count(*), count(*) filter (where is_key_account) from accounts").fetchone()
        revenue = con.execute(
            "select sum(revenue_yuan) from billing_monthly "
            "where billing_month = (select max(billing_month) from billing_monthly)"
        ).fetchone()[0]
    assert shown["集团客户"] == f"{accounts:,}"
    assert shown["重要集团"] == f"{key:,}"
    revenue_label = next(label for label in shown if "出账收入" in label)
    assert shown[revenue_label] == f"{float(revenue) / 1e4:,.1f}"


def test_the_language_switch_turns_the_page_english(scored_path, monkeypatch):
    at = open_app(scored_path, monkeypatch, "pages/warehouse.py")
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Group accounts" in labels and "集团客户" not in labels
    assert at.title[0].value == "Data overview"


def test_every_translation_has_both_languages():
    table = i18n.table()
    assert all(entry["zh"].strip() and entry["en"].strip() for entry in table.values())
    with pytest.raises(KeyError):
        i18n.text("no.such.key")


@pytest.mark.slow
def test_a_fresh_clone_is_generated_built_trained_and_scored(tmp_path):
    from analytics.models import preparation as pipeline

    path = tmp_path / "fresh" / "needsmine.duckdb"
    assert not pipeline.is_ready(path)
    ran = pipeline.prepare(path, demo_accounts=300)
    assert ran == ["demo", "build", "train", "score"]
    assert pipeline.is_ready(path)
    with db.connect(path) as con:
        months = con.execute("select count(distinct as_of_month) from scores").fetchone()[0]
    assert months == pipeline.SCORED_MONTHS
    assert pipeline.prepare(path) == []  # prepared once, then reused

    # A model file of an older format (a warehouse prepared before an upgrade) would be refused
    # when loaded: the next start trains again and scores every scored month with the new models.
    from analytics.models import registry

    churn = registry.path_of(config.models_dir(path), "churn")
    churn.write_bytes(churn.read_bytes().replace(b'"format": 2, ', b'"format": 1, ', 1))
    assert not pipeline.is_ready(path)
    assert pipeline.prepare(path) == ["train", "score"]
    assert pipeline.is_ready(path)


def test_both_languages_of_a_text_take_the_same_placeholders():
    import string

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    table = i18n.table()
    mismatched = {key: e for key, e in table.items() if fields(e["zh"]) != fields(e["en"])}
    assert not mismatched
