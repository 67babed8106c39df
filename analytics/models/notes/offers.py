"""Competitor offers read from interview notes: (competitor, product, amount in 元, period, kind).

"电信报价3800一个月" → (中国电信, None, 3800.0, month, price); "联通专线报价2万一年" →
(中国联通, 专线's product, 20000.0, year, price); "广电说宽带免费送一年" → (中国广电, None, 0.0,
year, free); "移动这边贵了500" (said after a competitor was named) → (that competitor, None,
500.0, None, difference: we are dearer by that much).

A note is cut into clauses (，。；！？ and their ASCII forms). A clause makes an offer when it holds
a price (a number with 元/块/千/万/k, a number said after 报价/价格/只要/才/收, 免费, or a 贵了/便宜了
difference) and a competitor: named in the clause, or — for a clause that names no operator at all
— the competitor last named earlier in the note. A clause naming 移动/我们/我方 and no competitor
is our own price and makes no offer (a difference is the exception: it compares us with them).

`offers_of_note` is the readable rule for one note; `offers` applies it to *distinct* notes only
(notes repeat a lot), so a million notes with a few thousand distinct texts cost a few thousand
calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import pandas as pd

from analytics.models.notes.mentions import COMPETITORS, NOT_COMPETITOR, SHORT_FORMS, product_patterns
from analytics.models.notes.text import distinct_texts

PERIODS = ("month", "year", "one_off")
KINDS = ("price", "free", "difference")

_CLAUSE = re.compile(r"[，。；！？;!?\n]+|,(?!\d{3})")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "k": 1000, "w": 10000}
_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[零一二两三四五六七八九十]+(?=[十百千万]))"
_UNIT = r"(?:[十百千万kw]|千万)?"
# A number with a unit or currency: 3800元, 3.8千, 2万, 两万, 3,800块.
_MONEY = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>[十百千万kw]?)(?P<yuan>\s*(?:元|块钱?|rmb))?", re.IGNORECASE)
_PRICE_CUE = re.compile(r"报价|报了|价格|价钱|只要|只收|才收|收费|收|要价|开价|优惠到|给到|打到|一口价|包月|包年")
_FREE = re.compile(r"免费|白送|不要钱|零元|(?<![\d.])0元")
_DIFF = re.compile(r"(贵了?|便宜了?|高了?|低了?|差了?)\s*(?P<num>" + _NUM + r")\s*(?P<unit>[十百千万kw]?)")
_PERIOD = [
    ("month", re.compile(r"一个月|每个?月|个月|/月|一月|月租|包月|月费|每月|元/月|按月")),
    ("year", re.compile(r"一年|每年|/年|年费|包年|按年|[两三四五]年")),
    ("one_off", re.compile(r"一次性|买断|一口价|一次付清|总价")),
]
_OURS = re.compile(r"移动|我们|我方|咱们|我司")
_NOT_A_PRICE = re.compile(
    r"\d+\s*(?:个|台|路|人|户|部|条|张|兆|m|M|g|G|号|点|%|天|年|月|家|栋|层|间|平|米|岁|分钟|小时)"
)


class Offer(NamedTuple):
    competitor: str  # 中国电信 / 中国联通 / 中国广电
    product: str | None  # product_id named in the clause (or the note), else None
    amount: float  # 元; 0 for free; for a difference, by how much we are dearer (negative: cheaper)
    period: str | None  # month / year / one_off / None when not said
    kind: str  # price / free / difference


def parse_amount(num: str, unit: str = "") -> float | None:
    """'3,800' → 3800; '3.8','千' → 3800; '2','万' → 20000; '两','万' → 20000; '十二','' → 12."""
    num = num.replace(",", "")
    try:
        value = float(num)
    except ValueError:
        value = _chinese_number(num)
        if value is None:
            return None
    return value * _CN_UNITS.get(unit.lower(), 1) if unit else value


def _chinese_number(text: str) -> float | None:
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char == "十":
            total += (digit if digit is not None else 1) * 10
            digit = None
        else:
            return None
    if digit is not None:
        total += digit
    return float(total) if total or text else None


def _competitor_in(clause: str) -> str | None:
    cleaned = NOT_COMPETITOR.sub("", clause)
    for name, short in COMPETITORS.items():
        if short in cleaned:
            return name
    return None


def _period(clause: str) -> str | None:
    for name, pattern in _PERIOD:  # ordered: month, then year, then one-off
        if pattern.search(clause):
            return name
    return None


def _price(clause: str) -> tuple[float, str] | None:
    """(amount, kind) of the price said in the clause, or None."""
    diff = _DIFF.search(clause)
    if diff:
        amount = parse_amount(diff.group("num"), diff.group("unit"))
        if amount is not None and amount > 0:
            cheaper = diff.group(1)[0] in "便低"
            return (-amount if cheaper else amount), "difference"
    if _FREE.search(clause):
        return 0.0, "free"
    cue = _PRICE_CUE.search(clause)
    for match in _MONEY.finditer(clause):
        has_unit = bool(match.group("unit") or match.group("yuan"))
        after_cue = cue is not None and cue.end() <= match.start()
        if not (has_unit or after_cue):
            continue
        if not match.group("yuan") and not match.group("unit") and _NOT_A_PRICE.match(clause, match.start()):
            continue  # 50个摄像头, 100M, 3年 are counts, speeds, terms
        amount = parse_amount(match.group("num"), match.group("unit"))
        if amount is not None and amount > 0:
            return amount, "price"
    return None


def offers_of_note(note: str, patterns: Mapping[str, str] | None = None) -> list[Offer]:
    """Offers in one note. patterns: product_id → regular expression (see mentions.product_patterns)."""
    if not isinstance(note, str) or not note.strip():
        return []
    found: list[Offer] = []
    last_competitor: str | None = None
    last_product: str | None = None
    for clause in _CLAUSE.split(note):
        if not clause.strip():
            continue
        lowered = clause.lower()
        competitor = _competitor_in(clause)
        product = next((pid for pid, p in (patterns or {}).items() if p and re.search(p, lowered)), None)
        price = _price(clause)
        if price is not None:
            amount, kind = price
            ours = kind != "difference" and _OURS.search(clause)
            if competitor is None and last_competitor is not None and not ours:
                competitor = last_competitor
            if competitor is not None:
                found.append(Offer(competitor, product or last_product, amount, _period(clause), kind))
        if competitor is not None:
            last_competitor = competitor
        if product is not None:
            last_product = product
    return found


def offers(
    texts: Iterable[str],
    products: pd.DataFrame | None = None,
    *,
    short_forms: Mapping[str, Iterable[str]] = SHORT_FORMS,
) -> pd.Series:
    """Offers per text: a Series aligned with `texts` (default index) of lists of `Offer`.

    products: the catalogue (product_id, product_name) to name the product an offer is for; None
    leaves products unnamed. The rule runs once per distinct text.
    """
    codes, unique_texts = distinct_texts(texts)
    patterns = product_patterns(products, short_forms) if products is not None else {}
    per_distinct = [offers_of_note(text, patterns) for text in unique_texts]
    return pd.Series([per_distinct[code] for code in codes], dtype=object)


def offers_frame(texts: Iterable[str], products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long form: one row per offer with `row` (position of its text) and the Offer fields."""
    series = offers(texts, products)
    rows = [(i, *offer) for i, items in enumerate(series) for offer in items]
    return pd.DataFrame(rows, columns=["row", *Offer._fields])
