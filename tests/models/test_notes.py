"""The notes model (needs found in interview notes), mentions of products and competitors, and
the scoring of interactions. Trained once per module on the session's small demo warehouse."""

from __future__ import annotations

import io
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from analytics.config import AREAS
from analytics.models.notes.model import (
    NotesModel,
    best_f1_threshold,
    mentions,
    score_interactions,
    train_notes_model,
)
from analytics.models.notes.text import ClauseNgramCounts, ClauseNgrams
from analytics.warehouse import db

# Hand-written, not taken from the demo generator: one need per area, in the areas' order.
NEEDS = {
    "basic_comm": "单位想让员工之间短号互打，节省话费。",
    "mobile_office": "公司希望在手机上审批请假和报销。",
    "production_control": "工厂想给叉车装定位终端，实时看位置",
    "service_marketing": "店里想给老顾客群发节日优惠短信。",
}
DECLINED = {
    "production_control": "客户表示今年没有上视频监控的打算。",
    "mobile_office": "客户说暂不需要视频会议。",
    "basic_comm": "今年不考虑办理集团V网。",
    "service_marketing": "对方说短信群发暂不考虑。",
}


@pytest.fixture(scope="module")
def trained(demo_path: Path) -> tuple[NotesModel, dict]:
    con = db.connect(demo_path, read_only=True)
    try:
        return train_notes_model(con, seed=0)
    finally:
        con.close()


@pytest.fixture(scope="module")
def catalogue(demo_path: Path) -> pd.DataFrame:
    con = db.connect(demo_path, read_only=True)
    try:
        return con.execute("select product_id, product_name from products").df()
    finally:
        con.close()


def test_held_out_notes_are_tagged_well(trained, demo_con):
    model, report = trained
    total = demo_con.execute("select count(*) from interactions").fetchone()[0]
    assert report["train_rows"] + report["test_rows"] == report["refit_rows"] == total
    assert report["test_rows"] > 1000
    assert report["macro_f1"] >= 0.95
    for area in AREAS:  # misaligned labels or columns would sink at least one area
        assert report["per_area"][area]["f1"] >= 0.9, area
        assert report["per_area"][area]["support"] > 100
    assert report["unseen_text"]["macro_f1"] >= 0.9  # held-out notes no training note repeats


def test_columns_follow_areas(trained):
    model, _ = trained
    assert model.areas == AREAS
    probability = model.predict_proba(list(NEEDS.values()))
    assert probability.shape == (4, 4)
    assert list(probability.argmax(axis=1)) == [0, 1, 2, 3]
    assert (model.predict(list(NEEDS.values())) == np.eye(4, dtype=bool)).all()


@pytest.mark.parametrize("area", AREAS)
def test_a_declined_need_is_not_a_need(trained, area):
    model, _ = trained
    j = AREAS.index(area)
    voiced, declined = model.predict([NEEDS[area], DECLINED[area]])
    assert voiced[j]
    assert not declined[j]


def test_predict_uses_the_chosen_thresholds(trained):
    model, _ = trained
    texts = list(NEEDS.values()) + list(DECLINED.values()) + ["客户对服务满意。", "", None]
    probability = model.predict_proba(texts)
    assert (model.predict(texts) == (probability >= model.thresholds)).all()
    assert np.isfinite(model.thresholds).all()
    assert (model.thresholds > 0).all() and (model.thresholds < 1).all()


def test_best_f1_threshold_is_not_one_half():
    # Positives score 0.2-0.3, negatives below 0.1: a fixed 0.5 would tag nothing (F1 = 0).
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    score = np.array([0.30, 0.25, 0.20, 0.10, 0.08, 0.05, 0.01])
    assert best_f1_threshold(y, score) == pytest.approx(0.15)
    # Ties cannot be split: both 0.4s go the same way.
    tied = np.array([0.9, 0.4, 0.4, 0.1])
    assert best_f1_threshold(np.array([1, 0, 1, 0]), tied) == pytest.approx(0.25)
    assert best_f1_threshold(np.zeros(3), np.array([0.9, 0.5, 0.1])) == np.inf


def test_model_survives_pickling(trained):
    model, _ = trained
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    texts = list(NEEDS.values()) + list(DECLINED.values())
    assert np.array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    assert np.array_equal(loaded.thresholds, model.thresholds)


def test_vectorised_counts_equal_the_reference_analyzer(demo_con):
    notes = demo_con.execute("select notes from interactions").df()["notes"].tolist()
    tricky = [
        "ＯＡ系统　和5G专网，暂不需要ＶＰＮ！客户说：没有上监控的计划\n第二行 OK",
        "",
        "a",
        "。。，",
        "没有计划",
        "Σ ΣΑΣ ,需要 V 网",
    ]
    texts = notes + tricky * 2
    reference = CountVectorizer(analyzer=ClauseNgrams(), min_df=2).fit(list(dict.fromkeys(texts)))
    fast = ClauseNgramCounts(chunk_size=997).fit(texts)  # several chunks
    names = reference.get_feature_names_out()
    assert sorted(fast.get_feature_names_out()) == sorted(names)
    assert any(name.startswith("¬") for name in names)
    position = {name: i for i, name in enumerate(fast.get_feature_names_out())}
    expected = reference.transform(texts)
    actual = fast.transform(texts)[:, [position[name] for name in names]]
    assert (expected != actual).nnz == 0


def test_mentions_name_products_and_competitors(catalogue):
    ids = dict(zip(catalogue["product_name"], catalogue["product_id"], strict=True))
    texts = [
        "员工通话量大，打算给全员办理集团V网。",
        "验证码发送量上来了，想接入云MAS。",
        "听说电信在推低价融合套餐，客户有些心动。",
        "客户对服务满意，近期无变化。",
        "语音专线要扩容，V网资费也想再谈谈，联通和中国联通都来过。",
        None,
    ]
    found = mentions(texts, catalogue)
    assert len(found) == len(texts)
    products = [list(cell) for cell in found["products"]]
    competitors = [list(cell) for cell in found["competitors"]]
    assert products[0] == [ids["集团V网"]]
    assert products[1] == [ids["集团短彩信/云MAS"]]
    assert competitors[2] == ["中国电信"]
    assert products[3] == [] and competitors[3] == []
    # A bare 专线 is the data line, but 语音专线 is not; each name once, in catalogue order.
    assert products[4] == [ids["集团V网"], ids["语音专线"]]
    assert competitors[4] == ["中国联通"]
    assert products[5] == [] and competitors[5] == []
    assert competitors[0] == competitors[1] == []


def test_mentions_short_forms_and_false_friends(catalogue):
    ids = dict(zip(catalogue["product_name"], catalogue["product_id"], strict=True))
    found = mentions(["新园区要拉专线", "设备接入onenet平台", "BOARD会议纪要", "协助客户防范电信诈骗"], catalogue)
    products = [list(cell) for cell in found["products"]]
    assert products == [[ids["数据专线/互联网专线"]], [ids["物联网卡/OneNET"]], [], []]
    assert [list(cell) for cell in found["competitors"]] == [[], [], [], []]


def test_score_interactions(trained, demo_con):
    model, _ = trained
    scores = score_interactions(demo_con, model)
    interactions = demo_con.execute(
        "select interaction_id, account_id, notes from interactions order by interaction_id"
    ).df()
    assert len(scores) == len(interactions)
    assert scores["interaction_id"].tolist() == interactions["interaction_id"].tolist()
    assert scores["account_id"].tolist() == interactions["account_id"].tolist()
    need = [f"need_{area}" for area in AREAS]
    has_need = [f"has_need_{area}" for area in AREAS]
    assert list(scores.columns) == ["interaction_id", "account_id", "occurred_at", *need, *has_need]
    sample = interactions.sample(300, random_state=0)
    direct = model.predict_proba(sample["notes"].tolist())
    assert np.allclose(scores.loc[sample.index, need].to_numpy(), direct, atol=1e-6)
    flags = scores[has_need].to_numpy()
    assert (flags == (scores[need].to_numpy() >= model.thresholds)).all()
