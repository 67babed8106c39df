"""模型质量 page and its logic: what it shows is what training recorded."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.common import i18n
from analytics.config import AREAS
from analytics.models import features
from analytics.views import model_quality

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/model_quality.py"


@pytest.fixture(scope="module")
def warehouse(scored_path: Path) -> Path:
    """The prepared warehouse (`scored_path` is already each xdist worker's own copy)."""
    return scored_path


def open_app(path: Path, monkeypatch: pytest.MonkeyPatch, **state: object) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    at.switch_page(PAGE)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at


def _report(path: Path) -> dict:
    return json.loads((config.models_dir(path) / "report.json").read_text(encoding="utf-8"))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_churn_figures_are_those_training_recorded(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch)
    assert not at.exception
    assert unlabelled_columns(at) == []
    churn = _report(warehouse)["churn"]
    shown = _metrics(at)
    assert shown["AUC"] == f"{churn['auc']:.3f}"
    assert shown["PR-AUC"] == f"{churn['pr_auc']:.3f}"
    assert shown["前10%提升度"] == f"{churn['lift_top_decile']:.2f}"
    assert shown["Brier"] == f"{churn['brier']:.4f}"
    assert shown["真实AUC"] == f"{churn['truth_auc']:.3f}"  # the demo has truth tables

    summary = _table_with(at, "truth_ratio").set_index("model")
    assert summary.loc["离网倾向", "auc"] == pytest.approx(churn["auc"])
    # Shares are drawn in percent points.
    assert summary.loc["离网倾向", "truth_ratio"] == pytest.approx(100 * churn["auc"] / churn["truth_auc"])
    assert summary.loc["离网倾向", "train_rows"] == churn["train_rows"]
    assert len(summary) == 1 + len(AREAS)

    bins = _table_with(at, "observed_rate")
    assert bins["observed_rate"].tolist() == pytest.approx([100 * b["observed_rate"] for b in churn["calibration"]])
    origins = _table_with(at, "as_of")
    assert origins["as_of"].tolist() == [o["as_of"] for o in churn["backtest"]]
    assert origins["auc"].tolist() == pytest.approx([o["auc"] for o in churn["backtest"]])
    assert any(churn["test_as_of"] in c.value and f"{churn['train_rows']:,}" in c.value for c in at.caption)
    assert any(_report(warehouse)["warehouse"] in c.value for c in at.caption)  # which warehouse


def test_a_table_downloads_as_shown_and_the_click_is_audited(scored_copy, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = open_app(scored_copy, monkeypatch)
    assert not at.exception
    assert {"model_quality_summary_zh.csv", "model_quality_calibration_churn_zh.csv"} <= set(offered)
    assert exports(scored_copy) == []
    rows = list(csv.DictReader(io.StringIO(offered["model_quality_summary_zh.csv"]().decode("utf-8-sig"))))
    assert exports(scored_copy) == [("head", "head", "model quality table", "model_quality_summary_zh.csv")]
    summary = _table_with(at, "truth_ratio")
    assert [r["模型"] for r in rows] == list(summary["model"])
    assert float(rows[0]["AUC"]) == pytest.approx(summary["auc"].iloc[0], abs=5e-5)  # four places in the file


def test_an_upsell_model_shows_its_own_figures_and_drivers(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, mq_model="mobile_office")
    assert not at.exception
    upsell = _report(warehouse)["upsell"]["mobile_office"]
    assert _metrics(at)["AUC"] == f"{upsell['auc']:.3f}"
    drivers = _table_with(at, "mean_abs_contribution")
    strongest = max(upsell["drivers"], key=upsell["drivers"].get)
    assert drivers.loc[0, "feature_code"] == strongest
    # Features are named in words, the area filled in.
    named = dict(zip(drivers["feature_code"], drivers["feature"], strict=True))
    assert all(named[code] != code for code in named)
    if "share_mobile_office" in named:
        assert named["share_mobile_office"] == "移动办公收入占比"


def test_the_notes_model_shows_its_held_out_figures(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, mq_model="notes")
    assert not at.exception
    assert unlabelled_columns(at) == []
    notes = _report(warehouse)["notes"]
    metrics = _metrics(at)
    assert metrics["宏平均 F1（新措辞）"] == f"{notes['macro_f1']:.3f}"
    assert metrics["宏平均 F1（同措辞）"] == f"{notes['macro_f1_same_phrasing']:.3f}"
    assert metrics["无需求纪要判空率"] == f"{notes['no_need_empty_rate']:.1%}"
    assert notes["macro_f1"] < notes["macro_f1_same_phrasing"]  # new phrasing is the harder test
    per_area = _table_with(at, "recall_same").set_index("area")
    assert per_area.loc["基础通信", "support"] == notes["per_area"]["basic_comm"]["support"]
    assert per_area.loc["生产控制", "recall"] == pytest.approx(100 * notes["per_area"]["production_control"]["recall"])
    same = notes["same_phrasing"]["per_area"]["service_marketing"]
    assert per_area.loc["服务营销", "precision_same"] == pytest.approx(100 * same["precision"])
    terms = _table_with(at, "term")
    assert set(terms["area"]) == {"基础通信", "移动办公", "生产控制", "服务营销"}
    assert terms["term"].str.len().min() >= 2


def test_the_scope_model_shows_its_held_out_figures_in_plain_words(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, mq_model="scope")
    assert not at.exception
    assert unlabelled_columns(at) == []
    scope = _report(warehouse)["scope"]
    metrics = _metrics(at)
    mean = sum(scope["areas"][a]["auc"] for a in AREAS) / len(AREAS)
    truth = sum(scope["areas"][a]["truth_auc"] for a in AREAS) / len(AREAS)
    assert metrics["平均AUC（对持有）"] == f"{mean:.3f}"
    assert metrics["平均AUC（对真实需求）"] == f"{truth:.3f}"  # the demo has its latent needs
    per_area = _table_with(at, "holdings_auc").set_index("area")
    assert list(per_area.index) == ["基础通信", "移动办公", "生产控制", "服务营销"]
    for area, shown in zip(AREAS, per_area.index, strict=True):
        assert per_area.loc[shown, "holdings_auc"] == pytest.approx(scope["areas"][area]["auc"])
        assert per_area.loc[shown, "truth_need_auc"] == pytest.approx(scope["areas"][area]["truth_auc"])
        assert per_area.loc[shown, "top_items"].split("；") == scope["areas"][area]["top_items"]
    # Said in plain words: what the figures are measured on, and how to read them.
    captions = " ".join(c.value for c in at.caption)
    assert f"{scope['accounts']:,} 个有经营范围的客户" in captions
    assert "经营范围只说明客户“是做什么的”" in captions
    assert any("瞎猜" in (m.help or "") for m in at.metric)

    english = open_app(warehouse, monkeypatch, mq_model="scope", lang="en")
    assert not english.exception
    assert "Mean AUC (against holdings)" in _metrics(english)
    assert any("held-out accounts" in c.value for c in english.caption)


def test_the_scope_figures_without_a_scope_model(warehouse, monkeypatch):
    assert model_quality.scope_summary({}).empty
    skipped = {"scope": {"accounts": 0, "folds": 5, "areas": {}, "skipped": "too few accounts with a business scope"}}
    assert model_quality.scope_headline(skipped)["holdings_auc"] is None
    real = {"scope": {"accounts": 90, "areas": {"basic_comm": {"auc": 0.7, "truth_auc": None, "top_items": []}}}}
    assert model_quality.scope_headline(real)["truth_need_auc"] is None  # real data: no truth
    assert model_quality.scope_summary(real).loc[0, "top_items"] == ""


def test_the_page_turns_english(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, lang="en")
    assert not at.exception
    assert at.title[0].value == "Model quality"
    labels = list(_metrics(at))
    assert "Top-decile lift" in labels and "前10%提升度" not in labels
    assert "Churn" in set(_table_with(at, "truth_ratio")["model"])
    features_shown = _table_with(at, "mean_abs_contribution")["feature"]
    assert not any("\u4e00" <= ch <= "\u9fff" for name in features_shown for ch in name)


def test_training_records_a_driver_for_every_column(warehouse):
    report = _report(warehouse)
    assert set(report["churn"]["drivers"]) == {*features.CHURN_NUMERIC, *features.CHURN_CATEGORICAL}
    for area in AREAS:
        assert set(report["upsell"][area]["drivers"]) == {*features.upsell_numeric(area), *features.UPSELL_CATEGORICAL}
    drivers = model_quality.drivers(report, "churn")
    assert drivers["share"].sum() == pytest.approx(1.0)
    assert drivers["mean_abs_contribution"].is_monotonic_decreasing


def test_every_model_column_has_a_name_in_both_languages():
    columns = {*features.CHURN_NUMERIC, *features.CHURN_CATEGORICAL, *features.UPSELL_CATEGORICAL}
    for area in AREAS:
        columns |= set(features.upsell_numeric(area))
    table = i18n.table()
    missing = [c for c in columns if f"model_quality.feature.{model_quality.feature_parts(c)[0]}" not in table]
    assert missing == []
    assert model_quality.feature_parts("note_need_production_control_3m") == ("note_need_area_3m", "production_control")


def test_untrained_warehouse_has_no_report(tmp_path):
    assert model_quality.read_report(tmp_path) is None
    # A report from before drivers were recorded: the page says so instead of failing.
    assert model_quality.drivers({"churn": {"auc": 0.7}}, "churn") is None
    assert model_quality.summary({"churn": {"auc": 0.7}}).loc[0, "truth_ratio"] is None
