"""Products and competitors named in interview notes, by pattern (no model: a name is named).

A product is named by any part of its catalogue name split on "/" ("物联网卡/OneNET" → 物联网卡,
OneNET) or by one of the short forms below, case-insensitively. A competitor is named by its
full or short name (中国电信 / 电信, 中国联通 / 联通, 中国广电 / 广电).

Each pattern is one vectorised regular-expression pass over the *distinct* notes (notes repeat a
lot), so millions of notes cost seconds, not a Python loop per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.models.notes.text import distinct_texts

# Short forms people write for a catalogue name part, keyed by that part; applied only when the
# catalogue has the part. Choices:
# - a bare 专线 is the data line (the common case), unless the note says 语音专线;
# - 彩铃, 一卡通, 千里眼, 总机 and V网 are unambiguous in an operator's notes;
# - OA and MAS only as whole Latin words ("OA" in "BOARD" is not OA);
# - generic words (宽带, 邮箱, 通讯录, 定位, 视频会议) are NOT short forms: they describe a need
#   ("广电在推宽带免费体验", "想开视频会议") rather than name our product; the notes model, not
#   this list, maps them to areas.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "集团V网": ("V网", "VPMN"),
    "综合V网": ("V网",),
    "数据专线": ("(?<!语音)专线",),
    "移动总机": ("总机",),
    "移动OA": ("(?<![a-z])oa(?![a-z])",),
    "企业一卡通": ("一卡通",),
    "千里眼视频监控": ("千里眼",),
    "高精定位": ("高精度定位",),
    "集团彩铃": ("彩铃",),
    "集团短彩信": ("短彩信",),
    "云MAS": ("(?<![a-z])mas(?![a-z])",),
    "移动400": ("400(?:号码|电话|热线)",),
}

COMPETITORS: dict[str, str] = {
    "中国电信": "电信",
    "中国联通": "联通",
    "中国广电": "广电",
}
# Phrases that contain a competitor's short name without naming the competitor.
NOT_COMPETITOR = re.compile("电信网络诈骗|电信诈骗|广电总局")


def product_patterns(products: pd.DataFrame, short_forms: Mapping[str, Iterable[str]] = SHORT_FORMS) -> dict[str, str]:
    """One regular expression per product_id (lower-case; matched against lower-cased notes)."""
    patterns: dict[str, str] = {}
    for product_id, name in zip(products["product_id"], products["product_name"], strict=True):
        parts = [part.strip() for part in str(name).split("/") if part.strip()]
        alternatives = [re.escape(part.lower()) for part in parts]
        for part in parts:
            alternatives.extend(form.lower() for form in short_forms.get(part, ()))
        patterns[str(product_id)] = "|".join(dict.fromkeys(alternatives))
    return patterns


def _hits(texts: pd.Series, patterns: Iterable[str], *, regex: bool) -> np.ndarray:
    """Bool matrix (len(texts), k): whether each text contains each of the k patterns."""
    columns = [texts.str.contains(p, regex=regex).to_numpy(dtype=bool) for p in patterns]
    if not columns:
        return np.zeros((len(texts), 0), dtype=bool)
    return np.column_stack(columns)


def _lists(hits: np.ndarray, labels: list[str]) -> pd.Series:
    """Row-wise lists (an Arrow list column) of the labels whose column in `hits` is True."""
    _, cols = np.nonzero(hits)  # row-major: each row's labels come out in label order
    offsets = np.zeros(hits.shape[0] + 1, dtype=np.int32)
    np.cumsum(hits.sum(axis=1), out=offsets[1:])
    values = pa.array(np.asarray(labels, dtype=object)[cols], type=pa.string())
    lists = pa.ListArray.from_arrays(pa.array(offsets), values)
    return pd.Series(lists, dtype=pd.ArrowDtype(lists.type))


def mentions(
    texts: Iterable[str],
    products: pd.DataFrame,
    *,
    short_forms: Mapping[str, Iterable[str]] = SHORT_FORMS,
) -> pd.DataFrame:
    """Products and competitors named in each text.

    texts: notes (any iterable of str; a missing value names nothing); products: the catalogue,
    with columns product_id and product_name. Returns a DataFrame aligned with `texts` (same
    length, default index) with list columns `products` (product_ids, in catalogue order) and
    `competitors` (中国电信 / 中国联通 / 中国广电, in that order).
    """
    codes, unique_texts = distinct_texts(texts)
    distinct = pd.Series(unique_texts, dtype="str").str.lower()

    patterns = product_patterns(products, short_forms)
    product_hits = _hits(distinct, patterns.values(), regex=True)
    cleaned = distinct.str.replace(NOT_COMPETITOR, "", regex=True)
    competitor_hits = _hits(cleaned, COMPETITORS.values(), regex=False)

    return pd.DataFrame(
        {
            "products": _lists(product_hits[codes], list(patterns)),
            "competitors": _lists(competitor_hits[codes], list(COMPETITORS)),
        }
    )
