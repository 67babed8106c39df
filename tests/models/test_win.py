"""The win model (issue 15 item 5): trained and judged by rolling origin on the small demo, its
truth figures present, its features free of leakage (what happened after an opportunity was opened
does not change its features or its score), and scoring writes the open opportunities' scores."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import config
from analytics.models import registry, win
from analytics.warehouse import db


@pytest.fixture()
def con(scored_copy):
    con = db.connect(scored_copy)
    yield con
    con.close()


def test_trained_with_backtest_and_truth(con, scored_copy):
    trained, report = win.train_win(con, seed=0)
    assert report["status"] == "ok"
    assert 0.6 < report["auc"] < 1.0 and report["truth_auc"] > report["auc"] * 0.9
    assert report["truth_ratio"] == pytest.approx(report["auc"] / report["truth_auc"])
    assert len(report["backtest"]) >= 2 and report["backtest"] == sorted(report["backtest"], key=lambda r: r["as_of"])
    # the saved model (training's hook) scored the open opportunities
    models, _ = registry.load_all(config.models_dir(scored_copy))
    assert "win" in models
    stored = con.execute(
        "select count(*), min(win_probability), max(win_probability) from opportunity_scores"
    ).fetchone()
    open_n = con.execute("select count(*) from opportunities where closed_at is null").fetchone()[0]
    assert stored[0] == open_n > 0 and 0 < stored[1] < stored[2] < 1


def test_split_trains_only_on_labels_known_at_the_origin(con):
    frame = win.features(con)
    origin = pd.Timestamp("2025-06-01")
    train, test = win.split(frame, origin)
    assert (train["closed_at"] < origin).all() and len(train) > 50
    assert test["opened_at"].between(origin, origin + pd.DateOffset(months=3), inclusive="left").all()
    assert test["is_closed"].all()


def test_what_happened_after_opening_changes_neither_features_nor_score(con):
    trained, _ = win.train_win(con, seed=0)
    before = win.features(con).set_index("opportunity_id")
    row = con.execute(
        "select opportunity_id, account_id, owner_id, created_at, area::varchar from opportunities "
        "where closed_at is null order by created_at limit 1"
    ).fetchone()
    oid, account, owner, opened, area = row
    later = opened + pd.Timedelta(days=1)
    # After the opening: an interview voicing the area, a competitor report, a complaint, a bill
    # of its month, and another opportunity of the owner closed as won.
    con.execute(
        "insert into interactions values ('I-later', ?, ?, ?, '上门', '决策人', '后来的走访', [?::area])",
        [account, owner, later, area],
    )
    con.execute(
        "insert into competitor_reports values ('R-later', ?, ?, '中国电信', '争抢', ?, ?, '后来的上报')",
        [owner, account, later, later],
    )
    con.execute("insert into complaints values ('C-later', ?, ?, '网络质量', '一般', null)", [account, later])
    month = pd.Timestamp(opened).to_period("M").to_timestamp()
    con.execute(
        "insert into billing_monthly values (?, ?, (select min(product_id) from products), 99999, 1, true)",
        [account, month],
    )
    con.execute(
        "insert into opportunities (opportunity_id, account_id, area, product_ids, expected_monthly_yuan, "
        "expected_one_off_yuan, expected_close_month, owner_id, stage, source, created_at, updated_at, closed_at) "
        "values ('O-later', ?, ?, [], 100, 0, ?, ?, '签约', 'list', ?, ?, ?)",
        [account, area, month, owner, later, later, later],
    )
    after = win.features(con).set_index("opportunity_id")
    columns = [*win.NUMERIC, *win.CATEGORICAL]
    pd.testing.assert_frame_equal(before.loc[[oid], columns], after.loc[[oid], columns])
    scored_before = win.score_open(con.cursor(), trained)  # same features: same score
    assert scored_before.set_index("opportunity_id").loc[oid, "win_probability"] == pytest.approx(
        float(trained.model.predict_proba(before.loc[[oid], columns])[:, 1][0])
    )
    # and a feature known before the opening does move it: an interview the day before
    con.execute(
        "insert into interactions values ('I-earlier', ?, ?, ?, '上门', '决策人', '之前的走访', [?::area])",
        [account, owner, opened - pd.Timedelta(days=1), area],
    )
    moved = win.features(con).set_index("opportunity_id")
    assert moved.loc[oid, "interactions_3m"] == before.loc[oid, "interactions_3m"] + 1
