"""The effect estimates of the retention actions (analytics/models/uplift) on the small demo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analytics.models.refresh import MODEL_OUTPUTS
from analytics.models.uplift import KINDS
from analytics.models.uplift.evaluation import qini
from analytics.warehouse import db


@pytest.fixture(scope="module")
def trained(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("uplift") / "w.duckdb"
    shutil.copy(demo_path, path)
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "train", "--db", str(path), "--json", "--quiet"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=900,
    )
    assert out.returncode == 0, out.stderr
    return path, json.loads(out.stdout)


def test_qini_is_one_for_the_truths_order_and_below_zero_reversed():
    effect = np.random.default_rng(0).gamma(0.5, 0.02, 500)
    assert qini(effect, effect) > 0
    assert qini(-effect, effect) < 0
    noisy = effect + np.random.default_rng(1).normal(0, 0.01, effect.size)
    assert 0 < qini(noisy, effect) / qini(effect, effect) < 1


def test_train_json_has_the_uplift_block_against_the_truth(trained):
    _, report = trained
    u = report["uplift"]
    assert u["status"] == "ok" and u["test_as_of"] == report["churn"]["test_as_of"]
    assert set(u["average_effects"]) == set(KINDS)
    for kind, r in u["average_effects"].items():
        assert r["treated_rows"] >= 30, kind
        assert r["low"] < r["effect"] < r["high"], kind
        assert 0 < r["truth"] < 0.2, kind  # the demo's actions help on average
    # Honest intervals: most kinds' truths inside their interval (the judged figure on 5,000
    # accounts is 4 of 5).
    assert u["kinds_covered"] >= 3
    # The per-account estimates rank accounts better than chance against the true effects, at
    # every rolling origin.
    assert u["qini_ratio"] > 0
    assert len(u["backtest"]) >= 2 and all(b["qini_ratio"] > 0 for b in u["backtest"])
    assert u["backtest"][-1]["as_of"] == u["test_as_of"]


def test_uplift_scores_give_every_account_each_kinds_effect_and_revenue(trained):
    path, report = trained
    assert "uplift_scores" in MODEL_OUTPUTS  # a refresh carries them over
    with db.connect(path, read_only=True) as con:
        per_account = con.execute(
            "select count(*), count(distinct action_kind) from uplift_scores group by account_id"
        ).fetchall()
        assert per_account and all(rows == len(KINDS) == kinds for rows, kinds in per_account)
        scored = con.execute(
            """
            select u.action_kind, u.expected_effect, u.expected_revenue_saved, f.revenue_avg_12m_yuan,
                   f.complaints_3m, f.months_to_agreement_end
            from uplift_scores u join mart_account_features f
              on f.account_id = u.account_id and f.billing_month = u.score_month
            """
        ).df()
    assert len(scored) == report["uplift"]["scored_rows"]
    assert np.allclose(
        scored["expected_revenue_saved"], scored["expected_effect"] * 12 * scored["revenue_avg_12m_yuan"]
    )
    # The estimates follow the traits the kinds work on: service recovery where there were
    # complaints, renewal where the agreement runs out.
    recovery = scored[scored["action_kind"] == "service_recovery"]
    assert (
        recovery.loc[recovery["complaints_3m"] > 0, "expected_effect"].mean()
        > 2 * recovery.loc[recovery["complaints_3m"] == 0, "expected_effect"].mean()
    )
    renewal = scored[scored["action_kind"] == "renewal"]
    expiring = renewal["months_to_agreement_end"].between(0, 3)
    assert renewal.loc[expiring, "expected_effect"].mean() > 1.5 * renewal.loc[~expiring, "expected_effect"].mean()


def test_without_actions_of_a_kind_training_says_so(tmp_path, demo_path):
    from analytics.models import features as feats
    from analytics.models.uplift import train_uplift

    path = tmp_path / "w.duckdb"
    shutil.copy(demo_path, path)
    with db.connect(path) as con:
        con.execute("update retention_actions set action_kind = null")
        con.execute("create table uplift_scores as select 'X' as account_id")  # from an earlier run
        model, report = train_uplift(
            con, None, None, feats.CHURN_NUMERIC, feats.CHURN_CATEGORICAL, window=3, test_month=None, C=0.1
        )
        assert "uplift_scores" not in db.existing_tables(con)
    assert model is None and report == {"status": "no_actions"}
