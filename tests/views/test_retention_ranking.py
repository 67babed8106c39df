"""The at-risk lists' words (recommended kind, reasons, holdout), the expected saved revenue by top
K, the measured effects read from the training report, and the holdout share's write (issue 16
item 3), against hand computations."""

import duckdb
import pandas as pd
import pytest

from analytics.access import auth
from analytics.views.compliance import holdout, retention_effects, retention_ranking


def test_reasons_name_the_traits_the_kind_acts_on():
    assert retention_ranking.kind_reasons("service_recovery", {"complaints_3m": 2}) == "服务补救：近3个月投诉 2 次"
    price = {"value_class": "C", "urgent_reports_2m": 1, "revenue_trend_3m": -0.12}
    assert retention_ranking.kind_reasons("price_offer", price) == (
        "价格敏感：C类中小客户；近2个月竞争对手争抢上报 1 次；近3个月收入下降 12%"
    )
    assert retention_ranking.kind_reasons("renewal", {"months_to_agreement_end": 5}).startswith("协议到期：此类措施")
    assert "2 complaint(s)" in retention_ranking.kind_reasons("service_recovery", {"complaints_3m": 2}, "en")


def test_expected_by_top_k_hand_computation_leaves_the_holdout_out():
    rows = pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "revenue_at_risk_yuan": [900.0, 100.0, 700.0, 800.0],
            "expected_revenue_saved": [10.0, 300.0, 200.0, 50.0],
            "is_holdout": [False, False, False, True],
        }
    )
    figures = retention_ranking.expected_by_top_k(rows, ks=(1, 2, 10))
    # without D: by uplift B 300, C 200, A 10; by risk A 10, C 200, B 300
    assert figures.to_dict("list") == {
        "top_k": [1, 2, 3],
        "uplift_yuan": [300.0, 500.0, 510.0],
        "risk_yuan": [10.0, 210.0, 510.0],
    }


def test_measured_effects_from_the_report_and_why_not():
    report = {
        "uplift": {
            "status": "ok",
            "test_as_of": "2026-07",
            "average_effects": {
                "price_offer": {
                    "effect": 0.03,
                    "low": 0.01,
                    "high": 0.05,
                    "treated_rows": 600,
                    "treated_accounts": 400,
                },
                "visit": {"effect": None, "treated_rows": 12},
            },
        }
    }
    effects = retention_effects.measured_effects(report)
    assert effects.measured == 1 and effects.reason is None
    row = effects.rows.set_index("action_kind").loc["资费优惠"]
    assert (row["effect_probability"], row["low_probability"], row["treated_rows"]) == (0.03, 0.01, 600)
    assert row["note"].startswith("有效")
    assert "未测算" in effects.rows.set_index("action_kind").loc["上门走访/高层拜访", "note"]
    none = retention_effects.measured_effects({"uplift": {"status": "too_few_actions"}})
    assert none.measured == 0 and "至少 30" in none.reason
    assert retention_effects.measured_effects(None).reason.startswith("模型尚未训练")


def test_holdout_share_heads_only_audited(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    head = auth.User("h1", "区县负责人", "head", district="浦东")
    holdout.set_share(con, head, 0.2)
    holdout.set_share(con, auth.User("boss", "部门负责人", "head"), 0.1)
    assert holdout.shares(con) == {"浦东": 0.2, "": 0.1}
    assert (
        holdout.share_for(holdout.shares(con), "浦东") == 0.2 and holdout.share_for(holdout.shares(con), "黄浦") == 0.1
    )
    with pytest.raises(holdout.NotAllowed):
        holdout.set_share(con, auth.User("m1", "经理", "manager", manager_id="M1"), 0.3)
    with pytest.raises(holdout.BadShare):
        holdout.set_share(con, head, 0.6)
    events = con.execute(
        "select username, object, detail from audit_log where action = 'change' order by event_id"
    ).fetchall()
    assert events == [
        ("h1", "retention_holdout 浦东", "— -> 20%"),
        ("boss", "retention_holdout department", "— -> 10%"),
        ("m1", "retention_holdout", "refused: role"),
    ]
    assert holdout.shares(con)["浦东"] == 0.2  # neither refused attempt changed anything
