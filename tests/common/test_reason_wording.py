"""Churn reasons are worded in one place, the `account.reason.*` rows of the translation table, in
both languages; analytics/models/reasons.py only picks the row and its numbers."""

from __future__ import annotations

import string

from analytics.common import i18n
from analytics.models import features as feats
from analytics.models import reasons

NAN = float("nan")
# Values that reach every variant of a numeric reason (falling, flat, rising, a count, missing).
NUMBERS = (-0.32, -2.0, 0.0, 0.05, 0.32, 1.0, 7.0, 1234.5, NAN)
CATEGORIES = {"value_class": "A", "industry": "金融业", "ownership": "国有企业"}


def every_reason() -> list[tuple[str, object]]:
    """(column, value) pairs covering every reason the churn model can give."""
    pairs: list[tuple[str, object]] = []
    for column in feats.CHURN_NUMERIC:
        pairs += [(column, v) for v in NUMBERS]
    for column in feats.CHURN_CATEGORICAL:
        pairs += [(column, CATEGORIES[column]), (column, None)]
    return pairs


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def placeholders(template: str) -> list[tuple[str, str]]:
    """The fields a template fills and how it formats each: what numbers it shows."""
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


def test_every_churn_column_has_words_of_its_own():
    assert set(CATEGORIES) == set(feats.CHURN_CATEGORICAL)
    for column in (*feats.CHURN_NUMERIC, *feats.CHURN_CATEGORICAL):
        key, _ = reasons.wording(column, CATEGORIES.get(column, 1.0))
        assert key != reasons.OTHER_KEY, column


def test_every_reason_the_model_can_give_is_worded_in_both_languages():
    unworded = []
    for column, value in every_reason():
        key, _ = reasons.wording(column, value)
        if key not in i18n.table():
            unworded.append((column, value, key))
            continue
        zh, en = reasons.phrase(column, value, "zh"), reasons.phrase(column, value, "en")
        if not has_chinese(zh) or has_chinese(en):
            unworded.append((column, value, zh, en))
    assert unworded == []


def test_both_languages_of_a_reason_carry_the_same_numbers():
    rows = {key: entry for key, entry in i18n.table().items() if key.startswith(f"{reasons.KEY}.")}
    assert len(rows) > 40
    for key, entry in rows.items():
        assert placeholders(entry["zh"]) == placeholders(entry["en"]), key
    # and as shown: the account's own numbers, rounded alike
    for column, value, number in [
        ("revenue_trend_3m", -0.325, "32"),
        ("revenue_change_yoy", 0.127, "13"),
        ("member_left_group_rate_3m", 0.0456, "4.6"),
        ("revenue_yuan", 1234567.4, "1,234,567"),
        ("months_to_agreement_end", 7.0, "7"),
        ("tenure_months", 30.0, "2.5"),
        ("product_count_change_3m", -2.0, "2"),
    ]:
        zh, en = reasons.phrase(column, value, "zh"), reasons.phrase(column, value, "en")
        assert number in zh and number in en, (zh, en)


def test_the_chinese_words_are_the_ones_scoring_has_always_stored():
    """Stored `score_reasons` are shown as they are, so a new warehouse must word them alike."""
    assert reasons.phrase("revenue_trend_3m", -0.32) == "近3个月收入较前3个月下降32%"
    assert reasons.phrase("revenue_change_1m", 0.05) == "本月收入环比上升5%"
    assert reasons.phrase("revenue_from_peak_12m", 0.0) == "收入处于12个月峰值"
    assert reasons.phrase("product_count_change_3m", -2.0) == "近3个月减少2项产品"
    assert reasons.phrase("member_left_network_rate_3m", 0.0456) == "近3个月成员离网率4.6%"
    assert reasons.phrase("months_to_agreement_end", 0.0) == "协议本月到期"
    assert reasons.phrase("months_to_agreement_end", NAN) == "无在约协议"
    assert reasons.phrase("has_decision_maker_on_competitor", 1.0) == "决策人使用异网号码"
    assert reasons.phrase("value_class", "A") == "A类集团"
    assert reasons.phrase("industry", "金融业") == "行业：金融业"
    assert reasons.phrase("complaints_6m", NAN) == "complaints_6m缺失"
