"""The text table's helpers that are not a page's own."""

from __future__ import annotations

from analytics.common import i18n


def test_a_bilingual_progress_line_shows_one_language():
    assert i18n.one_side("构建 / building stg_accounts", "zh") == "构建"
    assert i18n.one_side("构建 / building stg_accounts", "en") == "building stg_accounts"
    # only the first separator splits: the English half keeps its own slashes
    assert i18n.one_side("数据测试失败 / data test failed: a / b", "en") == "data test failed: a / b"
    assert i18n.one_side("no separator here", "en") == "no separator here"
