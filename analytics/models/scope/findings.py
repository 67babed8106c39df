"""What an account's business scope says, in plain words, with the items that say it.

For each item of the account's scope shared by enough accounts billed in the last month, the
products those accounts use markedly more than accounts at large (share with the item at least
MIN_LIFT × the share of all, and at least MIN_SHARE): "经营范围含'道路普通货物运输'：同类集团62%使用车务通/和车队
（全部集团8%）". Boilerplate items (技术服务, 货物进出口) imply nothing and so never qualify.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.common import i18n
from analytics.warehouse import queries

MIN_ACCOUNTS = 20  # an item of fewer billed accounts says nothing reliable
MIN_LIFT = 1.5
MIN_SHARE = 0.2  # a product a fifth of the item's accounts use, at least
COLUMNS = ["area", "phrase", "product_id", "product", "peer_share", "base_share", "accounts", "held", "text"]


def findings(
    con: duckdb.DuckDBPyConnection,
    account_id: str,
    lang: str = "zh",
    *,
    limit: int = 5,
    include_held: bool = False,
) -> pd.DataFrame:
    """Rows area, phrase, product_id, product, peer_share, base_share, accounts, held, text —
    strongest first (by how many more accounts in a hundred use the product with the item than
    at large: peer_share − base_share), at most one per product and `limit` in all; products
    the account already uses are left out unless include_held. Empty for an account without a
    scope (or unknown)."""
    rows = queries.run(con, "scope_findings", {"account_id": account_id, "min_accounts": MIN_ACCOUNTS})
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows["lift"] = rows["peer_share"] / rows["base_share"]
    rows["excess"] = rows["peer_share"] - rows["base_share"]
    keep = (rows["lift"] >= MIN_LIFT) & (rows["peer_share"] >= MIN_SHARE)
    if not include_held:
        keep &= ~rows["held"].astype(bool)
    rows = rows[keep].sort_values(["excess", "accounts", "phrase"], ascending=[False, False, True])
    rows = rows.drop_duplicates("product_id").head(limit).reset_index(drop=True)
    rows["product"] = [i18n.label("product", p, lang) for p in rows["product_id"]]
    rows["text"] = [
        i18n.text(
            "scope.finding",
            lang,
            phrase=r.phrase,
            share=f"{r.peer_share:.0%}",
            product=r.product,
            base=f"{r.base_share:.0%}",
        )
        for r in rows.itertuples()
    ]
    return rows[COLUMNS]
