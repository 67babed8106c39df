"""客户视图: everything the account view and the proposal show about one account in one month.

The profile query starts from `scoped_accounts` (an account outside the user's reach is not
found); the other queries are keyed by the id it admitted and read only that account's rows, so
an account switch costs a few narrow lookups, never a pass over the whole warehouse per page.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import duckdb
import pandas as pd

from analytics.access import pages
from analytics.common import i18n, rules
from analytics.common.formats import is_missing
from analytics.config import AREAS
from analytics.models import reasons
from analytics.warehouse import queries

QUERY_PARAM = "account"  # /account?account=ID opens the account view on that account
SEARCH_LIMIT = 50  # the picker lists at most this many matches (account_search.sql)
TREND_MONTHS = 24
NEEDS_MONTHS = 6  # "needs found in recent interviews": the window the models read them in
DETAIL_QUERIES: tuple[str, ...] = (
    "account_contacts",
    "account_months",
    "account_structure",
    "account_peers",
    "account_score",
    "account_reasons",
    "account_recommendations",
    "account_interviews",
    "account_complaints",
    "account_competitor_reports",
)


class AccountNotFound(LookupError):
    """The id names no account (or one outside the user's reach)."""


@dataclass(frozen=True)
class AccountView:
    """One account as of one month. Frames are language-neutral (codes, not labels)."""

    account_id: str
    month: dt.date
    profile: dict[str, object]
    contacts: pd.DataFrame  # contact_name, role, department, title, carrier
    months: pd.DataFrame  # mart_account_features rows of the last 24 months, oldest first
    structure: pd.DataFrame  # this month by product: revenue, quantity, share, mom, yoy
    peers: pd.DataFrame  # peer adoption and typical spend per product, this account's own
    score: dict[str, float] | None  # None when the account has no score this month
    reasons: pd.DataFrame  # rank, feature, contribution, reason (zh), value
    recommendations: pd.DataFrame  # area, rank, product_id, product_name, probability, values
    interviews: pd.DataFrame  # last 12 months, newest first, has_need_<area>
    complaints: pd.DataFrame
    competitor_reports: pd.DataFrame
    # What the business scope points to (analytics/models/scope: area, phrase, product_id,
    # peer_share, base_share, accounts): empty without a scope
    scope_findings: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def name(self) -> str:
        return str(self.profile["account_name"])

    @property
    def is_at_risk(self) -> bool:
        """Whether the account is at risk this month by the one definition (`rules.is_at_risk`: its
        churn probability reaches the rules' threshold): the accounts the portfolio counts and the
        retention page lists. False without a score."""
        return rules.is_at_risk((self.score or {}).get("churn_probability"))

    @property
    def revenue_yuan(self) -> float:
        """Revenue billed in the month (sum of its products)."""
        return float(self.structure["revenue_yuan"].sum()) if len(self.structure) else 0.0

    @property
    def revenue_12m_yuan(self) -> float | None:
        """Revenue of the 12 months up to the month (the score's, else the feature mart's)."""
        if self.score is not None and self.score.get("revenue_12m_yuan") is not None:
            return self.score["revenue_12m_yuan"]
        row = self.month_row
        return None if row is None else _float(row.get("revenue_12m_yuan"))

    @property
    def revenue_change_mom(self) -> float | None:
        """Revenue against the month before, as a fraction (None without a bill the month before)."""
        row = self.month_row
        previous = None if row is None else _float(row.get("revenue_previous_month_yuan"))
        return self.revenue_yuan / previous - 1 if previous else None

    @property
    def member_count(self) -> int | None:
        row = self.month_row
        return None if row is None or pd.isna(row.get("member_count")) else int(row["member_count"])

    @property
    def month_row(self) -> pd.Series | None:
        """The account's features as of the month (None when it has no row that month)."""
        rows = self.months[self.months["billing_month"] == pd.Timestamp(self.month)]
        return None if rows.empty else rows.iloc[-1]

    def revenue_by_area(self) -> pd.DataFrame:
        """This month's revenue per area (all four, zero where none): area, revenue_yuan, share."""
        by_area = self.structure.groupby("area")["revenue_yuan"].sum() if len(self.structure) else pd.Series()
        frame = pd.DataFrame({"area": list(AREAS)})
        frame["revenue_yuan"] = [float(by_area.get(area, 0.0)) for area in AREAS]
        total = frame["revenue_yuan"].sum()
        frame["share"] = frame["revenue_yuan"] / total if total else 0.0
        return frame

    def trend(self) -> pd.DataFrame:
        """Monthly revenue per area over the last 24 months, long: billing_month, area, revenue_yuan."""
        columns = {f"revenue_{area}_yuan": area for area in AREAS}
        wide = self.months[["billing_month", *columns]].rename(columns=columns)
        long = wide.melt(id_vars="billing_month", var_name="area", value_name="revenue_yuan")
        long["revenue_yuan"] = long["revenue_yuan"].astype(float).fillna(0.0)
        return long.sort_values(["billing_month", "area"]).reset_index(drop=True)

    def recent_interviews(self) -> pd.DataFrame:
        """Interviews of the last NEEDS_MONTHS months (the window needs are counted in)."""
        since = pd.Timestamp(self.month) - pd.DateOffset(months=NEEDS_MONTHS - 1)
        return self.interviews[self.interviews["occurred_at"] >= since]

    def needs(self) -> pd.DataFrame:
        """Per area: interviews of the last NEEDS_MONTHS months whose notes voiced a need of it,
        and the latest such note (area, interview_count, latest_at, latest_note)."""
        recent = self.recent_interviews()
        rows = []
        for area in AREAS:
            voiced = recent[recent[f"has_need_{area}"].fillna(False).astype(bool)]
            latest = voiced.iloc[0] if len(voiced) else None
            rows.append(
                {
                    "area": area,
                    "interview_count": len(voiced),
                    "latest_at": None if latest is None else latest["occurred_at"],
                    "latest_note": None if latest is None else latest["notes"],
                }
            )
        return pd.DataFrame(rows)

    def opportunities(self) -> pd.DataFrame:
        """The four areas as opportunity cards: area, propensity, expected_value_yuan,
        interview_count (needs voiced recently), products (recommended, best first)."""
        needs = self.needs().set_index("area")
        rows = []
        for area in AREAS:
            recs = self.recommendations[self.recommendations["area"] == area]
            rows.append(
                {
                    "area": area,
                    "propensity": None if self.score is None else self.score.get(f"propensity_{area}"),
                    "expected_value_yuan": None
                    if self.score is None
                    else self.score.get(f"opportunity_value_{area}_yuan"),
                    "interview_count": int(needs.loc[area, "interview_count"]),
                    "products": recs.reset_index(drop=True),
                }
            )
        return pd.DataFrame(rows)


# ---- loading -------------------------------------------------------------------------------


def _scope_params(account_id: str, month: dt.date, scope_managers: tuple[str, ...] | None) -> dict[str, object]:
    """Parameters of the account queries: the sidebar's own filters do not hide a chosen account,
    the user's reach does."""
    return {
        "account_id": account_id,
        "month": month,
        "districts": [],
        "industries": [],
        "classes": [],
        "managers": [],
        "scope_managers": None if scope_managers is None else list(scope_managers),
    }


def search(con: duckdb.DuckDBPyConnection, params: dict[str, object], text: str) -> pd.DataFrame:
    """Up to SEARCH_LIMIT accounts within the filters (`params` from Filters.params()) whose id
    or name contains `text`: account_id, account_name, district, value_class, status,
    revenue_at_risk_yuan."""
    return queries.run(con, "account_search", {**params, "search": (text or "").strip()})


def profile(
    con: duckdb.DuckDBPyConnection, account_id: str, scope_managers: tuple[str, ...] | None = None
) -> dict[str, object] | None:
    """The account's record, or None when it is unknown or outside the user's reach."""
    params = _scope_params(str(account_id).strip(), dt.date.today(), scope_managers)
    rows = queries.run(con, "account_profile", params)
    if rows.empty:
        return None
    record = rows.iloc[0].to_dict()
    return {key: (None if is_missing(value) else value) for key, value in record.items()}


def load(
    con: duckdb.DuckDBPyConnection,
    account_id: str,
    month: dt.date,
    scope_managers: tuple[str, ...] | None = None,
) -> AccountView:
    """Everything about one account as of `month`; raises AccountNotFound for an unknown id.

    The detail queries run side by side on their own cursors (DuckDB answers each on its own
    thread), which keeps an account switch well under the half second SPEC §7 allows.
    """
    record = profile(con, account_id, scope_managers)
    if record is None:
        raise AccountNotFound(account_id)
    params = _scope_params(str(record["account_id"]), month, scope_managers)

    def run(name: str) -> pd.DataFrame:
        cursor = con.cursor()
        try:
            return queries.run(cursor, name, params)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        frames = dict(zip(DETAIL_QUERIES, pool.map(run, DETAIL_QUERIES), strict=True))
    months = frames["account_months"]
    score_rows = frames["account_score"]
    score = None if score_rows.empty else {k: _float(v) for k, v in score_rows.iloc[0].items()}
    reasons = frames["account_reasons"]
    month_row = months[months["billing_month"] == pd.Timestamp(month)]
    reasons["value"] = [
        month_row.iloc[0][feature] if len(month_row) and feature in month_row.columns else None
        for feature in reasons["feature"]
    ]
    for frame in (frames["account_structure"], frames["account_peers"], frames["account_recommendations"]):
        if "area" in frame.columns:
            frame["area"] = frame["area"].astype(str)
    return AccountView(
        account_id=str(record["account_id"]),
        month=month,
        profile=record,
        contacts=frames["account_contacts"],
        months=months,
        structure=frames["account_structure"],
        peers=frames["account_peers"],
        score=score,
        reasons=reasons,
        recommendations=frames["account_recommendations"],
        interviews=frames["account_interviews"],
        complaints=frames["account_complaints"],
        competitor_reports=frames["account_competitor_reports"],
        scope_findings=scope_findings(con, str(record["account_id"])),
    )


def scope_findings(con: duckdb.DuckDBPyConnection, account_id: str) -> pd.DataFrame:
    """What the account's business scope points to (`analytics.models.scope.findings`); empty
    for a warehouse built before scopes were read."""
    from analytics.models.scope import findings

    try:
        return findings(con, account_id, "zh")
    except duckdb.CatalogException:  # no business_scope column yet (an old warehouse, not rebuilt)
        return pd.DataFrame()


def scope_lines(v: AccountView, lang: str) -> list[str]:
    """The scope findings in words of `lang`: "经营范围含'道路货物运输'：同类集团62%使用车务通（全部集团13%）"."""
    return [
        i18n.text(
            "scope.finding",
            lang,
            phrase=row.phrase,
            share=f"{row.peer_share:.0%}",
            product=i18n.label("product", row.product_id, lang),
            base=f"{row.base_share:.0%}",
        )
        for row in v.scope_findings.itertuples()
    ]


def latest_scored_month(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest month with scores (None when nothing was scored)."""
    have = con.execute("select count(*) from duckdb_tables() where table_name = 'scores'").fetchone()[0]
    if not have:
        return None
    value = con.execute("select max(as_of_month) from scores").fetchone()[0]
    return None if value is None else pd.Timestamp(value).date()


# ---- wording -------------------------------------------------------------------------------


def reason_text(feature: str, value: object, stored: str, lang: str) -> str:
    """A churn reason in the user's language. Chinese: the words scoring stored (they stay as they
    were when the account was scored). Another language: worded afresh from the same translation
    entry with the account's own value of the feature (`analytics.models.reasons.phrase`); the
    stored words when the value is unknown here and the reason has no words for a missing value."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return stored
    key, _ = reasons.wording(feature, value)
    if key == reasons.MISSING_KEY:  # no value: perhaps one the account view does not load
        return stored
    try:
        return reasons.phrase(feature, value, lang)
    except (TypeError, ValueError):  # a value of another type than the feature's
        return stored


def link(account_id: object, base_path: str = "") -> str:
    """The address of the account view opened on `account_id` (below the server's `base_path`):
    the page's address from the page registry, the id as the query parameter the page reads."""
    base = "/".join(part for part in str(base_path or "").split("/") if part)
    path = "/" + "/".join(quote(p) for p in (base, pages.get("account").url) if p)
    return f"{path}?{urlencode({QUERY_PARAM: str(account_id)})}"


def product_label(product_id: str, product_name: str, lang: str) -> str:
    """A product's display name: a translation when the table has one, else the catalogue's."""
    translated = i18n.label("product", product_id, lang)
    return translated if translated != str(product_id) else f"{product_name}"


def recommendation_reason(
    basis: object, peer_adoption_rate: object, peer_level: object, area: object, lang: str
) -> str:
    """Why a product is proposed, in a manager's words: the customer named it in an interview, an
    interview voiced a need of its area, or how many of the account's peers hold it ("同行业同规模
    集团58%已使用", the peer group it was judged against: `peer_level` of mart_peer_benchmarks)."""
    if basis == "named":
        return i18n.text("account.why.named", lang)
    if basis == "need":
        return i18n.text("account.why.need", lang, area=i18n.label("area", area, lang), months=NEEDS_MONTHS)
    if is_missing(peer_adoption_rate):
        return i18n.text("account.why.peers", lang)
    level = peer_level if peer_level in ("industry_size", "industry", "size", "all") else "industry_size"
    return i18n.text(f"account.why.peers.{level}", lang, share=float(peer_adoption_rate))


def _float(value: object) -> float | None:
    return None if is_missing(value) else float(value)
