"""The portfolio overview (组合总览) for department heads: headline figures with their change on
the previous month, the accounts with the most revenue at risk, breakdowns by district and by
manager, and how churn risk spreads. Every figure is aggregated in DuckDB within the filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.common import i18n, rules
from analytics.common.filters import Filters
from analytics.common.months import add_months
from analytics.warehouse import queries

# Lower edges of the churn-probability bands of the risk distribution (the last band is open).
RISK_BAND_EDGES: tuple[float, ...] = (0.0, 0.02, 0.05, 0.10, 0.20, 0.40)


@dataclass(frozen=True)
class Figure:
    """A headline figure this month and the month before (None: the month before has no value)."""

    value: float
    previous: float | None

    @property
    def difference(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change(self) -> float | None:
        """Relative change on the previous month (None when there is none to compare with)."""
        return None if not self.previous else self.value / self.previous - 1


@dataclass(frozen=True)
class Headline:
    month: dt.date
    accounts: Figure  # accounts in service at the month's end (SQL macro is_in_service)
    at_risk_accounts: Figure  # of which at risk (SQL macro is_at_risk, threshold rules.at_risk_probability())
    revenue_yuan: Figure  # billed this month
    revenue_at_risk_yuan: Figure  # Σ churn probability × trailing 12-month revenue
    opportunity_value_yuan: Figure  # Σ expected annual value of new products


@dataclass(frozen=True)
class Ranked:
    """The first rows of a ranking and how many rows the whole ranking has."""

    rows: pd.DataFrame
    total: int


def _params(filters: Filters, **extra: object) -> dict[str, object]:
    return filters.params() | extra


@dataclass(frozen=True)
class Summary:
    headline: Headline
    by_district: pd.DataFrame  # district, account_count, revenue_yuan, revenue_at_risk_yuan, ...
    by_manager: Ranked  # manager_id, manager_name, district, account_count, ...


FIGURES = ["account_count", "revenue_yuan", "revenue_at_risk_yuan", "at_risk_account_count", "opportunity_value_yuan"]


def _headline(totals: pd.DataFrame, month: dt.date) -> Headline:
    """Headline figures from the per-month total rows. Figures from scores have no previous
    value when the month before has no scores within the filters; revenue (from billing) and
    accounts in service (from the accounts' status and dates) have one whenever there is a row."""
    by_month = {pd.Timestamp(m).date(): row for m, row in totals.set_index("month").iterrows()}
    this, before = by_month.get(month), by_month.get(add_months(month, -1))
    previous_scored = before is not None and before["scored_account_count"] > 0

    def figure(name: str, scored: bool = True) -> Figure:
        value = 0.0 if this is None or pd.isna(this[name]) else float(this[name])
        has_previous = before is not None and pd.notna(before[name]) and (previous_scored or not scored)
        return Figure(value, float(before[name]) if has_previous else None)

    return Headline(
        month=month,
        accounts=figure("account_count", scored=False),  # from the accounts' status and dates
        at_risk_accounts=figure("at_risk_account_count"),
        revenue_yuan=figure("revenue_yuan", scored=False),
        revenue_at_risk_yuan=figure("revenue_at_risk_yuan"),
        opportunity_value_yuan=figure("opportunity_value_yuan"),
    )


def summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    manager_limit: int = 200,
    *,
    at_risk_probability: float | None = None,
) -> Summary:
    """The filtered accounts' headline figures (this month and last), their breakdown by
    district, and by manager (the `manager_limit` managers with the most revenue at risk).
    Accounts count as at risk from `at_risk_probability` on (default: the rules file's
    threshold as it is now, `rules.at_risk_probability`).

    One query: sums over the districts (and over all managers) equal the headline figures.
    """
    threshold = rules.at_risk_probability() if at_risk_probability is None else at_risk_probability
    rows = queries.run(con, "portfolio_summary", _params(filters, limit=manager_limit, at_risk_probability=threshold))
    level = rows["level"]
    for name in ("account_count", "scored_account_count", "at_risk_account_count"):
        rows[name] = rows[name].astype("int64")
    districts = rows.loc[level == "district", ["district", *FIGURES]].reset_index(drop=True)
    managers = rows.loc[level == "manager"]
    total = int(managers["manager_count"].iloc[0]) if len(managers) else 0
    managers = managers[["manager_id", "manager_name", "district", *FIGURES]].reset_index(drop=True)
    return Summary(_headline(rows.loc[level == "total"], filters.month), districts, Ranked(managers, total))


def at_risk(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    limit: int = 100,
    lang: str = i18n.DEFAULT_LANGUAGE,
    at_risk_probability: float | None = None,
    holdout_shares: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The filtered accounts at risk this month (churn probability from `at_risk_probability` on,
    default the rules' threshold: the accounts the headline counts), the first `limit` as ranked
    by expected revenue saved where uplift estimates exist, by revenue at risk otherwise
    (`retention_ranking.order`: rank, ranked_by), with the recommended action kind and its reasons
    and the holdout mark (`retention_ranking.words`), and their churn reasons in `lang` (joined by
    "；" in Chinese, "; " otherwise)."""
    from analytics.views.compliance import retention_ranking  # the one ranking of both at-risk lists

    threshold = rules.at_risk_probability() if at_risk_probability is None else at_risk_probability
    params = _params(filters, at_risk_probability=threshold)
    ordered = retention_ranking.order(con, queries.run(con, "portfolio_at_risk_order", params), filters.month)
    top = ordered.head(limit)[["account_id", "rank", "ranked_by", "action_kind", "expected_revenue_saved"]]
    details = queries.run(con, "portfolio_at_risk", params | {"account_ids": list(top["account_id"])})
    frame = top.merge(details, on="account_id", how="inner").sort_values("rank").reset_index(drop=True)
    frame = retention_ranking.words(con, frame, filters.month, holdout_shares, lang)
    if lang != i18n.DEFAULT_LANGUAGE and len(frame):
        worded = reasons(con, filters, list(frame["account_id"]), lang)
        frame["churn_reasons"] = [
            "; ".join(worded[a]) if a in worded else stored
            for a, stored in zip(frame["account_id"], frame["churn_reasons"], strict=True)
        ]
    return frame


def reasons(
    con: duckdb.DuckDBPyConnection, filters: Filters, account_ids: list[str], lang: str, top: int = 3
) -> dict[str, list[str]]:
    """The `top` churn reasons of a few listed accounts this month in `lang`, strongest first: worded
    afresh from the account's own feature values (analytics.views.account.view.reason_text), or as scoring
    stored them where a reason cannot be worded in `lang`."""
    from analytics.views.account.view import reason_text  # stored words or words afresh, as the account view

    params = filters.params() | {"account_ids": account_ids, "max_rank": top}
    rows = queries.run(con, "portfolio_reasons", params)
    features = sorted(set(rows["feature"]))
    values = queries.run(con, "portfolio_reason_values", params | {"features": features}).set_index("account_id")
    worded: dict[str, list[str]] = {}
    for account_id, feature, stored in zip(rows["account_id"], rows["feature"], rows["reason"], strict=True):
        value = values.at[account_id, feature] if feature in values.columns and account_id in values.index else None
        try:
            text = reason_text(feature, None if pd.isna(value) else value, stored, lang)
        except (KeyError, ValueError, IndexError):  # a broken entry of the translation table
            text = stored
        worded.setdefault(account_id, []).append(text)
    return worded


def risk_bands(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accounts and revenue at risk per band of churn probability (every band, empty ones too).

    Columns: band (1…), lower, upper (None for the last, open band), account_count,
    revenue_at_risk_yuan.
    """
    counted = queries.run(con, "portfolio_risk_bands", _params(filters, band_edges=list(RISK_BAND_EDGES)))
    edges = list(RISK_BAND_EDGES)
    bands = pd.DataFrame(
        {
            "band": range(1, len(edges) + 1),
            "lower": edges,
            "upper": [*edges[1:], None],
        }
    )
    merged = bands.merge(counted, on="band", how="left")
    merged["account_count"] = merged["account_count"].fillna(0).astype("int64")
    merged["revenue_at_risk_yuan"] = merged["revenue_at_risk_yuan"].fillna(0.0).astype(float)
    return merged
