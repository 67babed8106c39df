"""The scope → needs model and its findings on the small demo (issue 12 item 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from analytics.common import i18n
from analytics.config import AREAS
from analytics.models import features as feats
from analytics.models.scope import findings, items, train_scope_model
from analytics.models.scope.model import ROWS_SQL
from analytics.warehouse import db


@pytest.fixture(scope="module")
def scope_trained(scored_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the prepared demo with the scope model trained again: (path, model, report)."""
    path = tmp_path_factory.mktemp("scope") / "w.duckdb"
    path.write_bytes(scored_path.read_bytes())
    with db.connect(path) as con:
        model, report = train_scope_model(con, seed=7)
    return path, model, report


def test_the_scope_model_finds_holders_and_needs_on_held_out_accounts(scope_trained):
    _, _, report = scope_trained
    assert report["accounts"] > 800 and report["folds"] == 5
    for area in AREAS:
        r = report["areas"][area]
        assert r["auc"] > 0.56, (area, r["auc"])  # held-out accounts: well above chance
        assert r["truth_auc"] > 0.56, (area, r["truth_auc"])  # ranks the latent need, too
        assert r["top_items"], area
    # Production control is the area scopes say most about (transport, surveillance, IoT).
    assert report["areas"]["production_control"]["auc"] > 0.62


def test_the_scope_features_are_the_out_of_fold_scores(scope_trained):
    """What the upsell models read is each account's held-out score: its AUC is the report's,
    lower than the fitted model's own (in-sample) one on the same accounts."""
    path, model, report = scope_trained
    with db.connect(path, read_only=True) as con:
        label_end = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        rows = con.execute(ROWS_SQL.read_text(encoding="utf-8"), {"label_end": label_end}).df()
        scores = con.execute("select * from scope_scores").df().set_index("account_id").loc[rows["account_id"]]
        frame = feats.load_frame(con, *[feats.month_bounds(con)[1]] * 2)
    for area in AREAS:
        y = rows[f"holds_{area}"].astype(int)
        assert roc_auc_score(y, scores[f"scope_{area}"]) == pytest.approx(report["areas"][area]["auc"])
        in_sample = model.predict(rows["business_scope"])[:, AREAS.index(area)]
        assert roc_auc_score(y, in_sample) > report["areas"][area]["auc"] + 0.02
        assert frame[f"scope_{area}"].notna().all() and frame[f"scope_{area}"].std() > 0.01
        if feats.SCOPE_IN_UPSELL:
            assert f"scope_{area}" in feats.upsell_numeric(area)


def test_an_account_without_a_scope_scores_its_areas_share_of_holders(scope_trained):
    _, model, _ = scope_trained
    got = model.predict([None, ""])
    assert np.allclose(got, [[model.prior[a] for a in AREAS]] * 2)


def test_findings_name_the_scope_item_and_the_share_of_peers_with_it(scope_trained):
    path, _, _ = scope_trained
    with db.connect(path, read_only=True) as con:
        candidates = con.execute(
            "select account_id, business_scope from accounts where business_scope like '%道路普通货物运输%' "
            "order by account_id limit 40"
        ).fetchall()
        found = {account: findings(con, account) for account, _ in candidates}
        # The share recomputed apart from the SQL: billed accounts whose scope has the item.
        last = con.execute(
            "select distinct account_id, product_id from billing_monthly "
            "where billing_month = (select max(billing_month) from billing_monthly) and revenue_yuan > 0"
        ).df()
        scopes = con.execute("select account_id, business_scope from accounts").df()
        some = next(account for account, rows in found.items() if len(rows))
        english = findings(con, some, "en")
    for account, scope in candidates:
        rows = found[account]
        assert set(rows["phrase"]) <= set(items(scope))  # only the account's own items
        assert not rows["held"].any() and rows["product_id"].is_unique
    transport = pd.concat([rows[rows["phrase"] == "道路普通货物运输"] for rows in found.values()])
    assert not transport.empty and set(transport["area"]) == {"production_control"}
    row = transport.iloc[0]
    with_item = set(scopes.loc[[row.phrase in items(s) for s in scopes["business_scope"]], "account_id"])
    billed = with_item & set(last["account_id"])
    holders = billed & set(last.loc[last["product_id"] == row.product_id, "account_id"])
    assert row.peer_share == pytest.approx(len(holders) / len(billed))
    assert row.peer_share >= 1.5 * row.base_share
    share = f"{row.peer_share:.0%}"
    assert row.text.startswith(f"经营范围含'道路普通货物运输'：同类集团{share}使用{row['product']}")
    assert english["text"].iloc[0].startswith("Business scope includes '")
    assert i18n.label("product", english["product_id"].iloc[0], "en") in english["text"].iloc[0]


def test_findings_of_an_account_without_a_scope_are_empty(scope_trained):
    path, _, _ = scope_trained
    with db.connect(path, read_only=True) as con:
        account = con.execute("select account_id from accounts where business_scope is null limit 1").fetchone()[0]
        assert findings(con, account).empty
        assert findings(con, "no such account").empty


def test_a_warehouse_without_scopes_trains_without_them(scored_copy):
    """Real data may carry no 经营范围 yet: no scope model, and the upsell features stay constant."""
    with db.connect(scored_copy) as con:
        con.execute("update accounts set business_scope = null")
        model, report = train_scope_model(con, seed=7)
        last = feats.month_bounds(con)[1]
        frame = feats.load_frame(con, last, last)
    assert model is None and report["skipped"] and report["accounts"] == 0
    for area in AREAS:
        assert (frame[f"scope_{area}"] == 0.0).all()


def _add_account(con, account_id: str, scope: str) -> None:
    """What an import after training does: a new account (a copy of another but for its id and
    scope), then the build."""
    from analytics.warehouse import build

    con.execute(
        "insert into accounts select * replace (? as account_id, ? as business_scope) from accounts "
        "where account_id = (select min(account_id) from accounts)",
        [account_id, scope],
    )
    assert build.build(con).ok


def _scope_row(con, account_id: str) -> pd.Series | None:
    rows = con.execute("select * from scope_scores where account_id = ?", [account_id]).df()
    return None if rows.empty else rows.iloc[0]


def test_an_account_added_after_training_gets_its_own_scope_scores(scored_copy):
    from analytics import config
    from analytics.models import persistence, registry, scoring

    folder = config.models_dir(scored_copy)
    assert registry.path_of(folder, "scope").exists()  # saved with the other models
    models, metadata = registry.load_all(folder)
    # A scope of the items that raise production control most (a haulier's, on the demo).
    implied = "production_control"
    top = metadata["scope"]["report"]["areas"][implied]["top_items"][:3]
    with db.connect(scored_copy) as con:
        _add_account(con, "NEW0000001", "；".join(top) + "。")
        assert _scope_row(con, "NEW0000001") is None  # training never saw it
        scoring.score(con, models)
        row = _scope_row(con, "NEW0000001")
        median = con.execute(
            "select " + ", ".join(f"median(scope_{a}) as scope_{a}" for a in AREAS) + " from scope_scores"
        ).df()
    assert row is not None and row["business_scope"].startswith(top[0])
    assert np.allclose(
        row[[f"scope_{a}" for a in AREAS]].astype(float), models["scope"].predict([row["business_scope"]])[0]
    )
    lift = {a: float(row[f"scope_{a}"]) / float(median.loc[0, f"scope_{a}"]) for a in AREAS}
    assert lift[implied] > 1.5, lift  # well above the median, not the median
    assert lift[implied] == max(lift.values()), lift  # and highest in the area its scope implies

    # Re-registered scope: scored again at the next scoring; other accounts keep their scores.
    with db.connect(scored_copy) as con:
        before = con.execute("select * from scope_scores where account_id <> 'NEW0000001' order by 1").df()
        con.execute("update accounts set business_scope = null where account_id = 'NEW0000001'")
        assert build_ok(con)
        scoring.score(con, models)
        row = _scope_row(con, "NEW0000001")
        after = con.execute("select * from scope_scores where account_id <> 'NEW0000001' order by 1").df()
    assert np.allclose(row[[f"scope_{a}" for a in AREAS]].astype(float), [models["scope"].prior[a] for a in AREAS])
    pd.testing.assert_frame_equal(before, after)

    # A models folder of before the scope model was saved still scores: the new account keeps
    # no scope score (the upsell models' imputer gives it the median), the others theirs.
    registry.path_of(folder, "scope").unlink()
    old_models, _ = registry.load_all(folder)
    assert "scope" not in old_models
    assert all(persistence.is_current(registry.path_of(folder, n)) for n in registry.NAMES)
    from analytics.models import preparation

    assert not preparation._models_missing(scored_copy)  # no retraining forced
    with db.connect(scored_copy) as con:
        _add_account(con, "NEW0000002", "；".join(top) + "。")
        counts = scoring.score(con, old_models)
        assert counts["scores"] > 0 and _scope_row(con, "NEW0000002") is None


def build_ok(con) -> bool:
    from analytics.warehouse import build

    return build.build(con).ok
