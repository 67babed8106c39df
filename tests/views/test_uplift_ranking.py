"""Ranking accounts at risk by expected revenue saved, the fallback to risk × revenue, the
deterministic holdout, and the saved-revenue comparison of the two rankings (issue 16 item 3)."""

import pandas as pd
import pytest

from analytics.views.compliance.uplift_ranking import (
    best_kinds,
    in_holdout,
    rank_at_risk,
    saved_revenue_by_ranking,
)

AT_RISK = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D"],
        "churn_probability": [0.9, 0.5, 0.7, 0.8],
        "revenue_at_risk_yuan": [900.0, 100.0, 700.0, 800.0],
    }
)
UPLIFT = pd.DataFrame(
    {
        "account_id": ["A", "A", "B", "B", "C", "C"],
        "action_kind": ["资费优惠", "投诉处理", "资费优惠", "投诉处理", "资费优惠", "投诉处理"],
        "expected_effect": [0.01, 0.02, 0.30, 0.10, 0.05, 0.20],
        "expected_revenue_saved": [10.0, 20.0, 300.0, 100.0, 50.0, 200.0],
    }
)


def test_best_kind_is_the_one_saving_most():
    best = best_kinds(UPLIFT).set_index("account_id")
    assert best.loc["A", "action_kind"] == "投诉处理"
    assert best.loc["B", "action_kind"] == "资费优惠"
    assert best.loc["C", "expected_revenue_saved"] == 200.0


def test_rank_by_revenue_saved_then_fallback_by_risk():
    ranked = rank_at_risk(AT_RISK, UPLIFT)
    # B saves most although least at risk; D has no estimate and comes last, ranked by risk.
    assert list(ranked["account_id"]) == ["B", "C", "A", "D"]
    assert list(ranked["ranked_by"]) == ["uplift", "uplift", "uplift", "risk"]
    assert list(ranked["rank"]) == [1, 2, 3, 4]


def test_no_uplift_at_all_falls_back_to_risk_times_revenue():
    ranked = rank_at_risk(AT_RISK, UPLIFT.iloc[0:0])
    assert list(ranked["account_id"]) == ["A", "D", "C", "B"]
    assert set(ranked["ranked_by"]) == {"risk"}


def test_holdout_is_deterministic_and_near_its_share():
    ids = pd.Series([f"ACC{i:05d}" for i in range(4000)])
    first = in_holdout(ids, 0.1)
    assert first.equals(in_holdout(ids[::-1].reset_index(drop=True), 0.1)[::-1].reset_index(drop=True))
    assert 0.08 < first.mean() < 0.12
    assert not in_holdout(ids, 0.0).any() and in_holdout(ids, 1.0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        in_holdout(ids, 1.5)


def test_saved_revenue_by_ranking_hand_computation():
    ranked = rank_at_risk(AT_RISK, UPLIFT)
    truth = pd.Series({"A": 5.0, "B": 250.0, "C": 180.0, "D": 0.0})
    # top 2 by uplift: B, C -> 430; top 2 by risk × revenue: A, D -> 5.
    assert saved_revenue_by_ranking(ranked, truth, 2) == {"uplift": 430.0, "risk": 5.0}
