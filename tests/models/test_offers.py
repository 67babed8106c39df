"""Competitor offers read from hand-written notes (not from the demo generator's phrase bank)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.models.notes.offers import Offer, offers, offers_frame, offers_of_note, parse_amount

CATALOGUE = pd.DataFrame({"product_id": ["P_LINE", "P_CAM"], "product_name": ["数据专线", "千里眼视频监控"]})


@pytest.mark.parametrize(
    ("num", "unit", "expected"),
    [
        ("3800", "", 3800),
        ("3,800", "", 3800),
        ("3.8", "千", 3800),
        ("2", "万", 20000),
        ("两", "万", 20000),
        ("十二", "", 12),
        ("1.5", "w", 15000),
    ],
)
def test_parse_amount_reads_chinese_number_forms(num: str, unit: str, expected: float) -> None:
    assert parse_amount(num, unit) == expected


@pytest.mark.parametrize(
    ("note", "competitor", "amount", "period", "kind"),
    [
        ("上午去了，电信报价3800一个月，老板嫌贵", "中国电信", 3800, "month", "price"),
        ("听说联通那边报了3,800元/月", "中国联通", 3800, "month", "price"),
        ("中国联通给的价格是3.8千每年", "中国联通", 3800, "year", "price"),
        ("联通说两万一次性买断", "中国联通", 20000, "one_off", "price"),
        ("广电说宽带免费送一年，客户有点心动", "中国广电", 0, "year", "free"),
        ("电信的人来过了。移动这边贵了500", "中国电信", 500, None, "difference"),
        ("跟联通比，我们便宜了两千", "中国联通", -2000, None, "difference"),
        ("广电开价1.2万", "中国广电", 12000, None, "price"),
    ],
)
def test_offers_of_varied_notes(note: str, competitor: str, amount: float, period: str | None, kind: str) -> None:
    (offer,) = offers_of_note(note)
    assert (offer.competitor, offer.amount, offer.period, offer.kind) == (competitor, amount, period, kind)


@pytest.mark.parametrize(
    "note",
    [
        "我们报价3000一个月，客户说考虑一下",  # our own price
        "移动这边给到2万一年",  # ours, no competitor anywhere
        "电信也来过，我们报价2万一年",  # ours after a competitor was named
        "客户装了50个摄像头，电信在跟",  # a count, not a price
        "今年预算用完了，明年再说",  # no price, no competitor
        "联通的专线已经用了3年",  # a term, not a price
        "报价3800一个月",  # nobody's price
        "",
    ],
)
def test_no_offer_where_price_is_ours_or_absent(note: str) -> None:
    assert offers_of_note(note) == []


def test_offer_names_the_product_in_its_clause_or_earlier() -> None:
    from analytics.models.notes.mentions import product_patterns

    patterns = product_patterns(CATALOGUE)
    assert offers_of_note("联通专线报价2万一年", patterns) == [Offer("中国联通", "P_LINE", 20000.0, "year", "price")]
    assert offers_of_note("想上千里眼，电信报价3800一个月", patterns)[0].product == "P_CAM"


def test_offers_aligned_with_texts_and_long_frame() -> None:
    notes = ["电信报价3800一个月", None, "电信报价3800一个月", "无", "联通专线报价2万一年"]
    series = offers(notes, CATALOGUE)
    assert len(series) == 5 and series[1] == [] and series[3] == []
    assert series[0] == series[2] == [Offer("中国电信", None, 3800.0, "month", "price")]
    frame = offers_frame(notes, CATALOGUE)
    assert frame["row"].tolist() == [0, 2, 4]
    assert frame.loc[frame["row"] == 4, "product"].item() == "P_LINE"


def test_read_notes_for_the_interviews_page() -> None:
    from analytics.views.daily_work.records import read_notes

    notes = pd.Series(["想上千里眼，电信报价3800一个月", None, "我们报价3000一个月"])
    read = read_notes(None, notes, CATALOGUE)
    assert read["areas"].tolist() == [[], [], []]  # no model: no areas, the rest still read
    assert read["products"].tolist() == [["千里眼视频监控"], [], []]
    assert read["competitors"].tolist() == [["中国电信"], [], []]
    assert read["offers"].tolist() == [[Offer("中国电信", "千里眼视频监控", 3800.0, "month", "price")], [], []]
