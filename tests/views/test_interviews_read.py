"""What the 走访记录 page reads from the month's notes: areas, products, competitors and offers, in
the language shown."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.common import i18n
from analytics.views.daily_work import records


def _recent(notes: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occurred_at": [dt.datetime(2026, 10, 5, 10)] * len(notes),
            "account_name": [f"集团{i}" for i in range(len(notes))],
            "notes": notes,
        }
    )


def test_a_note_naming_a_product_and_a_competitors_price_is_read_in_either_language(demo_con):
    product_id, name = demo_con.execute("select product_id, product_name from products order by 1 limit 1").fetchone()
    recent = _recent([f"客户想了解{name}，电信报价3800一个月", None, "聊了聊天气"])
    zh = records.read_table(demo_con, None, recent, "zh")
    assert zh["account_name"].tolist() == ["集团0", "集团1", "集团2"]
    assert zh.loc[0, "products_named"] == name
    assert zh.loc[0, "competitors_named"] == "中国电信"
    assert zh.loc[0, "offers"] == f"中国电信 {name}：3,800元/月"  # competitor, product, price
    assert zh.loc[1, "notes"] == "" and zh.loc[2, "offers"] == ""  # no note, small talk: nothing read
    en = records.read_table(demo_con, None, recent, "en")
    english = i18n.label("product", product_id, "en")
    assert english != name and en.loc[0, "products_named"] == english
    assert en.loc[0, "competitors_named"] == "China Telecom"
    assert en.loc[0, "offers"] == f"China Telecom {english}: 3,800 yuan/month"


def test_nothing_to_read_is_an_empty_table_with_its_columns(demo_con):
    empty = records.read_table(demo_con, None, _recent([]), "zh")
    assert empty.empty and "offers" in empty.columns
