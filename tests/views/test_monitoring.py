"""模型监控: realised figures and PSI against hand computations, the retrain flag, the score history
(only out-of-time scores, a month written once) and the model quality page's monitoring section for
an analyst and an administrator."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.access import auth
from analytics.models import history
from analytics.views import monitoring
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/model_quality.py"
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def _scores(model: str, month: dt.date, probabilities: list[float], source: str = "saved") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": model,
            "score_month": pd.Timestamp(month),
            "account_id": [f"A{i}" for i in range(len(probabilities))],
            "probability": probabilities,
            "source": source,
            "trained_through_month": pd.Timestamp(month),
        }
    )


def _outcomes(model: str, month: dt.date, outcomes: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": model,
            "score_month": pd.Timestamp(month),
            "account_id": [f"A{i}" for i in range(len(outcomes))],
            "outcome": outcomes,
        }
    )


def test_realised_auc_calibration_and_lift_are_those_counted_by_hand():
    # January: 4 accounts. Pairs (churned, stayed) ranked right: (0.9, 0.6), (0.9, 0.2), (0.4, 0.2);
    # wrong: (0.4, 0.6) -> AUC 3/4. February's window has not elapsed: no outcome, not judged.
    scores = pd.concat([_scores("churn", JAN, [0.9, 0.6, 0.4, 0.2]), _scores("churn", FEB, [0.5, 0.5])])
    outcomes = _outcomes("churn", JAN, [1, 0, 1, 0])
    realised = monitoring.realised(scores, outcomes)
    assert list(realised["score_month"]) == [JAN]
    row = realised.iloc[0]
    assert row["auc"] == pytest.approx(0.75)
    assert row["mean_predicted"] == pytest.approx((0.9 + 0.6 + 0.4 + 0.2) / 4)
    assert row["observed_rate"] == pytest.approx(0.5)
    # Top decile of 4 rows: the one highest score (0.9, churned): 1 / 0.5 overall rate.
    assert row["lift_top_decile"] == pytest.approx(2.0)
    assert row["brier"] == pytest.approx(((0.9 - 1) ** 2 + 0.6**2 + (0.4 - 1) ** 2 + 0.2**2) / 4)
    assert row["outcome_month"] == dt.date(2026, 4, 1)  # the churn window: 3 months
    assert (row["rows"], row["positives"]) == (4, 2)
    bins = monitoring.calibration(scores, outcomes)
    assert list(bins["count"]) == [1, 1, 1, 1]  # 4 rows in equal-count bins, lowest first
    assert list(bins["observed_rate"]) == [0.0, 1.0, 0.0, 1.0]


def test_an_upsell_model_is_judged_at_its_own_window_and_ties_count_half():
    # Ties between a positive and a negative count one half: 0.3 = 0.3 -> (1 + 0.5) / 2 pairs.
    scores = _scores("mobile_office", JAN, [0.7, 0.3, 0.3])
    outcomes = _outcomes("mobile_office", JAN, [1, 1, 0])
    row = monitoring.realised(scores, outcomes).iloc[0]
    assert row["auc"] == pytest.approx(1.5 / 2)
    assert row["outcome_month"] == dt.date(2026, 7, 1)  # the adoption window: 6 months


def test_psi_is_the_standard_formula_over_the_reference_deciles():
    reference = pd.Series(np.arange(1.0, 11.0))  # deciles 1.9, 2.8, … 9.1: one value per bin
    assert monitoring.psi(reference, reference) == pytest.approx(0.0)
    # Half the current rows in the lowest bin, half in the highest, none in the 8 others (ε).
    current = pd.Series([1.0] * 5 + [10.0] * 5)
    eps = 1e-4
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (eps - 0.1) * math.log(eps / 0.1)
    assert monitoring.psi(reference, current) == pytest.approx(expected)
    # A milder move: bin 1 holds 3 rows, bins 3 and 10 none (ε), the others one each.
    milder = pd.Series([1.0, 1.0, 1.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 2.0])
    shares_e = [0.1] * 10
    shares_a = [0.3, 0.1, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0]
    by_hand = sum((max(a, eps) - e) * math.log(max(a, eps) / e) for a, e in zip(shares_a, shares_e, strict=True))
    assert monitoring.psi(reference, milder) == pytest.approx(by_hand)
    # Categories are bins of their own; a missing value is one too.
    cats = monitoring.psi(pd.Series(["A", "A", "B", "B"]), pd.Series(["A", "A", "A", None]))
    by_hand = (
        (0.75 - 0.5) * math.log(0.75 / 0.5) + (eps - 0.5) * math.log(eps / 0.5) + (0.25 - eps) * math.log(0.25 / eps)
    )
    assert cats == pytest.approx(by_hand)


def test_drift_levels_follow_the_thresholds():
    assert monitoring.level(0.05, 0.1, 0.25) == "stable"
    assert monitoring.level(0.1, 0.1, 0.25) == "moderate"
    assert monitoring.level(0.3, 0.1, 0.25) == "shifted"


def _report(auc_churn: float, auc_area: float) -> dict:
    def own(auc: float, test: str) -> dict:
        return {"test_as_of": test, "auc": 0.99, "backtest": [{"as_of": test, "auc": auc}]}

    return {"churn": own(auc_churn, "2026-01"), "upsell": {"basic_comm": own(auc_area, "2026-01")}}


def test_a_model_below_the_share_of_its_backtest_auc_is_flagged_and_one_above_is_not():
    realised = pd.DataFrame(
        {
            "model": ["churn", "churn", "basic_comm"],
            "score_month": [dt.date(2025, 12, 1), JAN, JAN],
            "auc": [0.50, 0.75, 0.70],  # only the latest realised month counts
        }
    )
    # Backtest AUC at the test origin (all rows), not the headline `auc` (truth-covered rows).
    status = monitoring.status(realised, _report(0.80, 0.80), share=0.9).set_index("model")
    assert status.loc["churn", "threshold_auc"] == pytest.approx(0.72)
    assert not status.loc["churn", "is_flagged"]  # 0.75 ≥ 0.9 × 0.80
    assert status.loc["basic_comm", "is_flagged"]  # 0.70 < 0.72
    assert status.loc["churn", "realised_share"] == pytest.approx(0.75 / 0.80)
    assert status.loc["churn", "realised_months"] == 2
    stricter = monitoring.status(realised, _report(0.80, 0.80), share=0.95).set_index("model")
    assert stricter.loc["churn", "is_flagged"]  # 0.75 < 0.76
    none_yet = monitoring.status(realised.iloc[:0], _report(0.80, 0.80), share=0.9)
    assert not none_yet["is_flagged"].any()  # no realised month: nothing says it got worse


def test_the_history_keeps_only_out_of_time_scores_and_each_month_once(tmp_path):
    con = duckdb.connect(str(tmp_path / "h.duckdb"))
    made = _scores("churn", FEB, [0.1, 0.2])
    in_sample = _scores("churn", JAN, [0.3]).assign(trained_through_month=pd.Timestamp(FEB))
    assert history.record(con, pd.concat([made, in_sample])) == 2  # January: the model had seen it
    assert history.record(con, _scores("churn", FEB, [0.9, 0.9, 0.9])) == 0  # February is held
    assert history.record(con, _scores("basic_comm", FEB, [0.4])) == 1  # another model's month
    kept = con.execute("select model, score_month, probability from score_history order by all").fetchall()
    assert kept == [("basic_comm", FEB, 0.4), ("churn", FEB, 0.1), ("churn", FEB, 0.2)]


@pytest.fixture(scope="module")
def warehouse(scored_path: Path) -> Path:
    return scored_path


def _report_of(path: Path) -> dict:
    return json.loads((config.models_dir(path) / "report.json").read_text(encoding="utf-8"))


def test_training_seeds_a_monthly_history_whose_origins_agree_with_the_backtest(warehouse):
    report = _report_of(warehouse)
    with db.connect(warehouse) as con:
        scores = monitoring.scores(con)
        realised = monitoring.realised(scores, monitoring.outcomes(con))
    # No kept score is in-sample.
    assert (pd.to_datetime(scores["score_month"]) >= pd.to_datetime(scores["trained_through_month"])).all()
    churn = realised[realised["model"] == "churn"]
    months = pd.to_datetime(churn["score_month"])
    assert (months.diff().dropna().dt.days < 32).all() and len(churn) >= 5  # a monthly series
    assert set(churn["source"]) == {"backtest", "saved"}
    # At each rolling origin the realised AUC is the AUC training measured there (same model, rows).
    by_month = churn.set_index(months.dt.strftime("%Y-%m"))["auc"]
    for origin in report["churn"]["backtest"]:
        assert by_month[origin["as_of"]] == pytest.approx(origin["auc"])
    # The saved model's test month: realised AUC = backtest AUC, so a fresh training is not flagged.
    status = monitoring.status(realised, report, share=0.9).set_index("model")
    assert status.loc["churn", "realised_share"] == pytest.approx(1.0)
    assert not status["is_flagged"].any()


def _open(path: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), auth.User(role, role, role))
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def test_an_analyst_sees_the_monitoring_without_the_retrain_control(warehouse, monkeypatch):
    at = _open(warehouse, monkeypatch, "analyst")
    assert not at.exception
    assert "模型监控：评分与实际结果" in [s.value for s in at.subheader]
    status = next(d.value for d in at.dataframe if "realised_auc" in d.value.columns)
    assert set(status["flag"]) == {"正常"}
    assert "重新训练模型" not in [b.label for b in at.button]
    realised = next(d.value for d in at.dataframe if "outcome_month" in d.value.columns)
    assert {"回测时点模型", "当前保存的模型"} == set(realised["source"])
    drift = next(d.value for d in at.dataframe if "psi_max" in d.value.columns)
    assert list(drift["psi"]) == sorted(drift["psi"], reverse=True)
    assert set(drift["level"]) <= {"稳定", "中度变化", "显著偏移"}


def test_an_admin_sees_a_degraded_model_flagged_with_the_retrain_control(warehouse, tmp_path, monkeypatch):
    path = tmp_path / "degraded.duckdb"
    shutil.copy(warehouse, path)
    shutil.copytree(config.models_dir(warehouse), config.models_dir(path))
    # The churn model's latest realised month, scored in reverse: its realised AUC falls to 1 − AUC.
    test = pd.Timestamp(_report_of(path)["churn"]["test_as_of"]).date()
    with db.connect(path) as con:
        con.execute(
            "update score_history set probability = 1 - probability where model = 'churn' and score_month = ?", [test]
        )
    admin = _open(path, monkeypatch, "admin")
    assert not admin.exception
    warnings = [w.value for w in admin.warning]
    assert any(w.startswith("离网倾向") and "建议重新训练" in w for w in warnings), warnings
    assert "重新训练模型" in [b.label for b in admin.button]
    status = next(d.value for d in admin.dataframe if "realised_auc" in d.value.columns).set_index("model")
    assert status.loc["离网倾向", "flag"] == "低于警戒线：建议重新训练"
    assert status.loc["提升：基础通信", "flag"] == "正常"
    analyst = _open(path, monkeypatch, "analyst")
    assert any("建议重新训练" in w.value for w in analyst.warning)
    assert "重新训练模型" not in [b.label for b in analyst.button]
