"""The at-risk lists (组合总览's and 客户挽留's) ranked by expected revenue saved, in words: per
account the ordering that placed it (the uplift estimate, or churn risk × revenue where there is
none), the recommended retention action kind by its name, the account's traits that kind acts on
(the uplift estimator's moderators, `KIND_MODERATORS`) as its reasons, and whether the account is
in the holdout (对照组: left without action on purpose, `holdout.py`).

`ranked` reads what it needs (uplift_scores, the accounts' traits) and calls
`uplift_ranking.rank_at_risk`; `expected_by_top_k` gives the figure the 客户挽留 page draws: the
*expected* revenue saved by the top K under either ranking (estimates, not outcomes)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common import i18n
from analytics.views.compliance.uplift_ranking import RANKED_BY_UPLIFT, in_holdout, rank_at_risk
from analytics.warehouse import queries

UPLIFT_COLUMNS = ("account_id", "action_kind", "expected_effect", "expected_revenue_saved")
FEW_PRODUCTS = 3  # an account holding this many products or fewer has room for a fuller solution
EXPIRING_MONTHS = 3  # as the estimator's `expiring` moderator: an agreement ending within 3 months


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = ?", [name]
        ).fetchone()[0]
    )


def uplift_for(con: duckdb.DuckDBPyConnection, score_month: dt.date | None, account_ids: list[str]) -> pd.DataFrame:
    """The uplift estimates of `account_ids` made for `score_month` (every kind); empty when the
    warehouse has none (never trained, too few actions recorded, or another month's scores)."""
    if score_month is None or not account_ids or not has_table(con, "uplift_scores"):
        return pd.DataFrame(columns=list(UPLIFT_COLUMNS))
    return queries.run(con, "retention_uplift", {"score_month": score_month, "account_ids": account_ids})


def traits(con: duckdb.DuckDBPyConnection, score_month: dt.date | None, account_ids: list[str]) -> pd.DataFrame:
    """The traits the action kinds act on of `account_ids` in `score_month`, indexed by account."""
    if score_month is None or not account_ids:
        return pd.DataFrame().rename_axis("account_id")
    return queries.run(con, "retention_traits", {"score_month": score_month, "account_ids": account_ids}).set_index(
        "account_id"
    )


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def kind_reasons(kind: str, trait: pd.Series | dict, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Why kind `kind` is recommended for an account with traits `trait`, in plain words
    ("价格敏感：近2个月竞争对手争抢上报 1 次；近3个月收入下降 12%"): the traits of the account that
    the kind acts on (the estimator's KIND_MODERATORS). Without any, the kind's effect on accounts
    like it in general."""
    get = (lambda name: trait.get(name)) if isinstance(trait, dict) else (lambda name: trait.get(name, None))
    found: list[str] = []
    if kind == "price_offer":
        if str(get("value_class") or "") in ("C", "D"):
            found.append(i18n.text("uplift.reason.small_class", lang, cls=get("value_class")))
        urgent = _number(get("urgent_reports_2m"))
        if urgent and urgent > 0:
            found.append(i18n.text("uplift.reason.poached", lang, n=int(urgent)))
        trend = _number(get("revenue_trend_3m"))
        if trend is not None and trend < -0.05:
            found.append(i18n.text("uplift.reason.revenue_falling", lang, pct=-trend))
    elif kind == "visit":
        if bool(get("is_key_account")):
            found.append(i18n.text("uplift.reason.key_account", lang))
        if str(get("value_class") or "") in ("A", "B"):
            found.append(i18n.text("uplift.reason.large_class", lang, cls=get("value_class")))
    elif kind == "solution_upgrade":
        products = _number(get("product_count"))
        if products is not None and products <= FEW_PRODUCTS:
            found.append(i18n.text("uplift.reason.few_products", lang, n=int(products)))
    elif kind == "service_recovery":
        complaints = _number(get("complaints_3m"))
        if complaints and complaints > 0:
            found.append(i18n.text("uplift.reason.complaints", lang, n=int(complaints)))
    elif kind == "renewal":
        left = _number(get("months_to_agreement_end"))
        if left is not None and 0 <= left <= EXPIRING_MONTHS:
            found.append(i18n.text("uplift.reason.expiring", lang, n=int(left)))
    theme = i18n.text(f"uplift.theme.{kind}", lang)
    if not found:
        return i18n.text("uplift.reason.general", lang, theme=theme)
    return f"{theme}{i18n.text('uplift.reason.colon', lang)}{i18n.text('uplift.reason.sep', lang).join(found)}"


def order(con: duckdb.DuckDBPyConnection, at_risk: pd.DataFrame, score_month: dt.date | None) -> pd.DataFrame:
    """`at_risk` (account_id, revenue_at_risk_yuan …: one scoring month's accounts at risk,
    already scoped) ranked by expected revenue saved (`rank_at_risk`, ranked_by a code)."""
    if at_risk.empty:
        out = at_risk.copy()
        for column in ("action_kind", "expected_effect", "expected_revenue_saved", "ranked_by", "rank"):
            out[column] = pd.Series(dtype=object)
        return out
    return rank_at_risk(at_risk, uplift_for(con, score_month, list(at_risk["account_id"])))


def words(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    score_month: dt.date | None,
    shares: dict[str, float] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """`order`'s rows (with their district) in words: ranked_by as text, the recommended kind by
    its name and its reasons in `lang`, expected_saved_yuan, and is_holdout / holdout by the heads'
    holdout `shares` ({scope: share}, `holdout.share_for`)."""
    out = rows.copy()
    has_kind = out["action_kind"].notna()
    own = traits(con, score_month, list(out.loc[has_kind, "account_id"])) if has_kind.any() else pd.DataFrame()
    out["recommended_kind"] = [None if pd.isna(k) else i18n.label("action_kind", k, lang) for k in out["action_kind"]]
    out["kind_reasons"] = [
        None if pd.isna(kind) else kind_reasons(kind, own.loc[a] if a in own.index else {}, lang)
        for a, kind in zip(out["account_id"], out["action_kind"], strict=True)
    ]
    out["ranked_by"] = [i18n.text(f"uplift.ranked_by.{by}", lang) for by in out["ranked_by"]]
    out["expected_saved_yuan"] = pd.to_numeric(out["expected_revenue_saved"], errors="coerce")
    out["is_holdout"] = holdout_flags(out, shares or {}) if len(out) else pd.Series(dtype=bool)
    out["holdout"] = [i18n.text("uplift.holdout", lang) if h else "" for h in out["is_holdout"]]
    return out


def ranked(
    con: duckdb.DuckDBPyConnection,
    at_risk: pd.DataFrame,
    score_month: dt.date | None,
    shares: dict[str, float] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """`order` then `words`: the 客户挽留 page's whole list."""
    return words(con, order(con, at_risk, score_month), score_month, shares, lang)


def holdout_flags(frame: pd.DataFrame, shares: dict[str, float]) -> pd.Series:
    """Per row of `frame` (account_id, district), whether the account is in the holdout: its
    district's share where its head set one, else the department's ('')."""
    from analytics.views.compliance.holdout import share_for

    flags = pd.Series(False, index=frame.index)
    districts = frame["district"] if "district" in frame else pd.Series("", index=frame.index)
    for district, rows in frame.groupby(districts.fillna(""), sort=False):
        share = share_for(shares, str(district))
        if share > 0:
            flags.loc[rows.index] = in_holdout(rows["account_id"], share).to_numpy()
    return flags


def expected_by_top_k(ranked_rows: pd.DataFrame, ks: tuple[int, ...] = (10, 20, 50, 100, 200)) -> pd.DataFrame:
    """Expected revenue saved (the estimates: the best kind's effect × revenue) by the first K
    accounts under the uplift ranking and under the risk × revenue ranking, for each K up to the
    number of accounts with an estimate: top_k, uplift_yuan, risk_yuan. Held-out accounts are left
    out (no action is taken for them). Empty without estimates."""
    rows = ranked_rows
    if "is_holdout" in rows:
        rows = rows[~rows["is_holdout"].astype(bool)]
    rows = rows[rows["expected_revenue_saved"].notna()] if "expected_revenue_saved" in rows else rows.iloc[0:0]
    if rows.empty:
        return pd.DataFrame(columns=["top_k", "uplift_yuan", "risk_yuan"])
    saved = rows["expected_revenue_saved"].astype(float)
    by_uplift = saved.loc[rows.sort_values(["expected_revenue_saved", "account_id"], ascending=[False, True]).index]
    by_risk = saved.loc[rows.sort_values(["revenue_at_risk_yuan", "account_id"], ascending=[False, True]).index]
    shown = sorted({min(k, len(rows)) for k in ks})
    return pd.DataFrame(
        {
            "top_k": shown,
            "uplift_yuan": [float(by_uplift.head(k).sum()) for k in shown],
            "risk_yuan": [float(by_risk.head(k).sum()) for k in shown],
        }
    )


def uplift_ranked(frame: pd.DataFrame) -> bool:
    """Whether any row of a `ranked` frame was placed by an uplift estimate."""
    return bool(len(frame)) and bool(frame["expected_revenue_saved"].notna().any())


__all__ = ["RANKED_BY_UPLIFT", "expected_by_top_k", "kind_reasons", "order", "ranked", "traits", "uplift_for", "words"]
