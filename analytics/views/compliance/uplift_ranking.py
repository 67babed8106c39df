"""Rank accounts at risk by the expected revenue saved of their best retention action kind
(issue 16 item 3), and assign a deterministic holdout. Pure pandas: the callers read
`compliance_at_risk` and `uplift_scores` and pass the frames in.

Where an account has no uplift estimate (no model trained, too few actions to fit one), it is
ranked by churn risk × revenue instead, and its `ranked_by` says so."""

from __future__ import annotations

import hashlib

import pandas as pd

RANKED_BY_UPLIFT = "uplift"
RANKED_BY_RISK = "risk"


def best_kinds(uplift: pd.DataFrame) -> pd.DataFrame:
    """Per account, the action kind with the highest expected revenue saved (ties: the
    alphabetically first kind). Returns account_id, action_kind, expected_effect,
    expected_revenue_saved."""
    cols = ["account_id", "action_kind", "expected_effect", "expected_revenue_saved"]
    if uplift.empty:
        return pd.DataFrame(columns=cols)
    ordered = uplift.sort_values(["account_id", "expected_revenue_saved", "action_kind"], ascending=[True, False, True])
    return ordered.drop_duplicates("account_id")[cols].reset_index(drop=True)


def rank_at_risk(at_risk: pd.DataFrame, uplift: pd.DataFrame) -> pd.DataFrame:
    """`at_risk` (account_id, churn_probability, revenue_at_risk_yuan, …) ranked: accounts with
    an uplift estimate first, by expected revenue saved of their best kind; then the others by
    churn risk × revenue (`revenue_at_risk_yuan`). Adds action_kind, expected_effect,
    expected_revenue_saved (missing where no estimate), ranked_by and rank (1 = first)."""
    if not {"account_id", "revenue_at_risk_yuan"} <= set(at_risk.columns):
        raise ValueError("rank_at_risk: at_risk needs account_id and revenue_at_risk_yuan columns")
    merged = at_risk.merge(best_kinds(uplift), on="account_id", how="left")
    has = merged["expected_revenue_saved"].notna()
    merged["ranked_by"] = has.map({True: RANKED_BY_UPLIFT, False: RANKED_BY_RISK})
    merged["_group"] = (~has).astype(int)
    merged["_key"] = merged["expected_revenue_saved"].where(has, merged["revenue_at_risk_yuan"])
    out = merged.sort_values(["_group", "_key", "account_id"], ascending=[True, False, True])
    out = out.drop(columns=["_group", "_key"]).reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out


def in_holdout(account_ids: pd.Series, share: float) -> pd.Series:
    """True for the accounts deliberately left without action: an account is held out when the
    first 8 bytes of sha256(account_id), as a fraction of 2**64, fall below `share`. Stable
    across runs and machines (no seed, no order dependence)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"holdout share must be between 0 and 1, got {share!r}")

    def fraction(account_id: str) -> float:
        digest = hashlib.sha256(str(account_id).encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    return account_ids.map(lambda a: fraction(a) < share).astype(bool)


def saved_revenue_by_ranking(ranked: pd.DataFrame, truth_saved: pd.Series, top_k: int) -> dict[str, float]:
    """For the top `top_k` accounts under each ranking (expected revenue saved vs churn risk ×
    revenue), the sum of `truth_saved` (account_id-indexed saved revenue: the demo's truth or
    the model's expectation). Returns {"uplift": …, "risk": …}."""
    if top_k < 0:
        raise ValueError(f"top_k must be ≥ 0, got {top_k}")
    by_uplift = ranked.sort_values(
        ["expected_revenue_saved", "account_id"], ascending=[False, True], na_position="last"
    )
    by_risk = ranked.sort_values(["revenue_at_risk_yuan", "account_id"], ascending=[False, True])
    total = lambda frame: float(truth_saved.reindex(frame["account_id"].head(top_k)).fillna(0.0).sum())  # noqa: E731
    return {RANKED_BY_UPLIFT: total(by_uplift), RANKED_BY_RISK: total(by_risk)}
