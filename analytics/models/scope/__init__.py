"""Needs read from the account's business scope (经营范围, issue 12 item 5).

`text.items` splits a registered scope into its items; `model.train_scope_model` learns per area,
from the warehouse, which scopes hold the area's products (a character n-gram and item TF-IDF with
a logistic regression per area), judged on held-out accounts (and against the demo's latent needs)
and written out-of-fold to `scope_scores` for the upsell models (saved as `scope.joblib`, it scores
at scoring time the accounts imported or re-registered since: `model.score_accounts`);
`findings.findings` words, for one account, the scope items that point to an area and the share of
accounts with the same item that use a product of it ("经营范围含'道路普通货物运输'：同类集团62%使用车务通/和车队").
"""

from __future__ import annotations

from analytics.models.scope.findings import findings
from analytics.models.scope.model import ScopeModel, score_accounts, train_scope_model
from analytics.models.scope.text import items

__all__ = ["ScopeModel", "findings", "items", "score_accounts", "train_scope_model"]
