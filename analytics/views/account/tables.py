"""The account view's tables as people read them (translated headers and values), in a given
language: the page shows them and the proposal prints the same ones."""

from __future__ import annotations

import pandas as pd

from analytics.common import i18n
from analytics.common.formats import date_text, minute_text, percent, signed_percent, yuan
from analytics.config import AREAS
from analytics.views.account.view import AccountView, product_label, reason_text, recommendation_reason


class Words:
    """`t` and `label` bound to one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def t(self, key: str, **values: object) -> str:
        return i18n.text(key, self.lang, **values)

    def label(self, kind: str, value: object) -> str:
        return i18n.label(kind, value, self.lang)

    def yes_no(self, value: object) -> str:
        return self.t("account.yes") if bool(value) else self.t("account.no")

    def labels(self, kind: str, values: pd.Series) -> pd.Series:
        return values.map(lambda v: self.label(kind, v))

    def products(self, frame: pd.DataFrame) -> pd.Series:
        pairs = zip(frame["product_id"], frame["product_name"], strict=True)
        names = [product_label(i, n, self.lang) for i, n in pairs]
        return pd.Series(names, index=frame.index, dtype=object)

    def areas_of(self, row: pd.Series) -> str:
        sep = "、" if self.lang == "zh" else ", "
        return sep.join(self.label("area", a) for a in AREAS if bool(row[f"has_need_{a}"])) or "—"


def manager_text(v: AccountView) -> str:
    return f"{v.profile['manager_id']} {v.profile.get('manager_name') or ''}".strip()


def size_band_text(band: object, lang: str) -> str:
    """A size band in words ("50–199人"), as stg_accounts cuts employee counts."""
    return i18n.label("size_band", band, lang)


def peers_caption(v: AccountView, lang: str) -> str:
    """The line above the peers: which peer group (industry × size band, or the wider group it fell
    back to when that had too few accounts), how many accounts, which month (the page and the
    documents say the same). `v.peers` must not be empty."""
    w, first = Words(lang), v.peers.iloc[0]
    level = str(first.get("peer_level") or "industry_size")
    return w.t(
        f"peers.caption.{level}",
        industry=w.label("industry", v.profile["industry"]),
        band=size_band_text(v.profile["size_band"], lang),
        n=int(first["peer_account_count"]),
        month=f"{pd.Timestamp(first['billing_month']):%Y-%m}",
    )


def peers_fallback(v: AccountView, lang: str) -> str | None:
    """When the peers are not the account's own industry × size band (too few accounts there),
    which wider group they are, in words ("同行业同规模集团不足20家，已按同行业（不分规模）比较。");
    None when they are, or when there are no peers."""
    if v.peers.empty or "peer_level" not in v.peers.columns:
        return None
    level = str(v.peers["peer_level"].iloc[0] or "industry_size")
    return None if level == "industry_size" else Words(lang).t(f"account.peers_fallback.{level}")


def profile_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, p = Words(lang), v.profile
    rows = [
        ("account.field.name", v.name),
        ("account.field.id", v.account_id),
        ("account.field.industry", w.label("industry", p["industry"])),
        ("account.field.district", w.label("district", p["district"])),
        ("account.field.class", w.label("class", p["value_class"])),
        ("account.field.key", w.yes_no(p["is_key_account"])),
        ("account.field.manager", manager_text(v)),
        ("account.field.employees", f"{int(p['employee_count']):,}"),
        ("account.field.members", "—" if v.member_count is None else f"{v.member_count:,}"),
        ("account.field.ownership", w.label("ownership", p["ownership"])),
        ("account.field.opened", date_text(p["opened_on"])),
        ("account.field.agreement", date_text(p["agreement_expires_on"])),
        ("account.field.status", w.label("status", p["status"])),
        ("account.field.scope", p.get("business_scope") or "—"),
    ]
    return pd.DataFrame(
        {
            w.t("account.col.field"): [w.t(key) for key, _ in rows],
            w.t("account.col.value"): [value for _, value in rows],
        }
    )


def contacts_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, c = Words(lang), v.contacts
    return pd.DataFrame(
        {
            w.t("account.col.contact_name"): c["contact_name"],
            w.t("account.col.role"): w.labels("role", c["role"]),
            w.t("account.col.department"): w.labels("department", c["department"]),
            w.t("account.col.title"): w.labels("title", c["title"]),
            w.t("account.col.carrier"): w.labels("carrier", c["carrier"]),
        }
    )


def structure_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, s = Words(lang), v.structure
    return pd.DataFrame(
        {
            w.t("account.col.product"): w.products(s),
            w.t("account.col.area"): w.labels("area", s["area"]),
            w.t("account.col.revenue"): s["revenue_yuan"].map(lambda x: yuan(x, 2)),
            w.t("account.col.quantity"): s["quantity"].map(lambda x: f"{int(x):,}"),
            w.t("account.col.share"): s["share_of_account"].map(percent),
            w.t("account.col.mom"): s["revenue_change_mom"].map(signed_percent),
            w.t("account.col.yoy"): s["revenue_change_yoy"].map(signed_percent),
            w.t("account.col.group_paid"): s["is_group_paid"].map(w.yes_no),
        }
    )


def peers_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, p = Words(lang), v.peers
    return pd.DataFrame(
        {
            w.t("account.col.product"): w.products(p),
            w.t("account.col.area"): w.labels("area", p["area"]),
            w.t("account.col.adoption"): p["adoption_rate"].map(lambda x: percent(x, 0)),
            w.t("account.col.typical"): p["typical_monthly_revenue_yuan"].map(yuan),
            w.t("account.col.own"): p["account_revenue_yuan"].map(yuan),
            w.t("account.col.held"): p["is_held"].map(w.yes_no),
            w.t("peers.col.recommended_value"): p["recommended_value_yuan"].map(yuan),
        }
    )


def reason_words(v: AccountView, lang: str) -> list[str]:
    r = v.reasons
    return [reason_text(f, x, s, lang) for f, x, s in zip(r["feature"], r["value"], r["reason"], strict=True)]


# How strongly a reason weighs, from its share of the reasons' total absolute contribution.
STRONG_SHARE = 0.30
MEDIUM_SHARE = 0.15


def reason_weights(contributions: pd.Series) -> pd.DataFrame:
    """Each reason's weight as a manager reads it, not the model's log-odds: direction ("up" raises
    the churn risk, "down" lowers it), share of the total absolute contribution of the reasons
    listed (0.42), and strength from that share (strong ≥ 30 %, medium ≥ 15 %, else weak)."""
    values = pd.to_numeric(contributions, errors="coerce").fillna(0.0).astype(float)
    total = values.abs().sum()
    share = values.abs() / total if total else values * 0.0
    strength = ["strong" if s >= STRONG_SHARE else "medium" if s >= MEDIUM_SHARE else "weak" for s in share]
    return pd.DataFrame(
        {"direction": ["down" if v < 0 else "up" for v in values], "share": share, "strength": strength},
        index=contributions.index,
    )


def reasons_table(v: AccountView, lang: str) -> pd.DataFrame:
    """The churn reasons in words: what, whether it raises or lowers the risk, and how strongly
    (强/中/弱 and its share of the reasons' weight) — never the model's raw contribution."""
    w, r = Words(lang), v.reasons
    weights = reason_weights(r["contribution"])
    return pd.DataFrame(
        {
            w.t("account.col.rank"): r["rank"].astype(int),
            w.t("account.col.reason"): reason_words(v, lang),
            w.t("account.col.direction"): weights["direction"].map(lambda d: w.t(f"account.direction.{d}")),
            w.t("account.col.strength"): weights["strength"].map(lambda s: w.t(f"account.strength.{s}")),
            w.t("account.col.weight_share"): weights["share"].map(lambda x: percent(x, 0)),
        }
    )


def why_texts(products: pd.DataFrame, peers: pd.DataFrame | None, lang: str) -> pd.Series:
    """Why each recommended product is proposed, in words (`recommendation_reason`): named in an
    interview, a need of its area voiced, or its peers' adoption from the peers table."""
    basis = products["basis"] if "basis" in products.columns else pd.Series("peers", index=products.index)
    adoption: dict[str, object] = {}
    level: object = None
    if peers is not None and len(peers):
        adoption = dict(zip(peers["product_id"], peers["adoption_rate"], strict=True))
        level = peers["peer_level"].iloc[0] if "peer_level" in peers.columns else None
    texts = [
        recommendation_reason(b if isinstance(b, str) else "peers", adoption.get(pid), level, area, lang)
        for b, pid, area in zip(basis, products["product_id"], products["area"], strict=True)
    ]
    return pd.Series(texts, index=products.index, dtype=object)


def recommendations_table(products: pd.DataFrame, lang: str, peers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One area's recommended products. With `peers` (the account's peers table) the reason says
    how many peers hold the product; without, the kind of reason only."""
    w = Words(lang)
    basis = products["basis"] if "basis" in products.columns else pd.Series("peers", index=products.index)
    why = (
        why_texts(products, peers, lang)
        if peers is not None
        else basis.map(lambda b: w.label("basis", b if isinstance(b, str) else "peers"))
    )
    return pd.DataFrame(
        {
            w.t("account.col.product"): w.products(products),
            w.t("account.col.probability"): products["probability"].map(percent),
            w.t("account.col.annual_value"): products["annual_value_yuan"].map(yuan),
            w.t("account.col.expected_value"): products["expected_value_yuan"].map(yuan),
            w.t("peers.col.basis"): why,
        }
    )


def all_recommendations_table(v: AccountView, lang: str) -> pd.DataFrame:
    """Every area's recommended products in one table (area first, then best first), with why in
    words: drawn full width, so that the yuan figures are never cut as in a card's narrow column."""
    w, products = Words(lang), v.recommendations
    order = {area: number for number, area in enumerate(AREAS)}
    products = products.assign(_order=products["area"].map(order)).sort_values(["_order", "rank"], kind="stable")
    table = recommendations_table(products, lang, v.peers)
    table.insert(0, w.t("account.col.area"), w.labels("area", products["area"]))
    return table.reset_index(drop=True)


def interviews_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, i = Words(lang), v.interviews
    return pd.DataFrame(
        {
            w.t("account.col.when"): i["occurred_at"].map(minute_text),
            w.t("account.col.channel"): w.labels("channel", i["channel"]),
            w.t("account.col.contact_role"): w.labels("role", i["contact_role"]),
            w.t("account.col.manager"): (i["manager_id"] + " " + i["manager_name"].fillna("")).str.strip(),
            w.t("account.col.needs"): [w.areas_of(row) for _, row in i.iterrows()],
            w.t("account.col.notes"): i["notes"],
        }
    )


def interview_entries(v: AccountView, lang: str) -> list[tuple[str, str]]:
    """The interviews as the page lists them, newest first: a header line (when · channel ·
    contact · manager · needs found) and the whole note, never cut to a table cell's width."""
    table = interviews_table(v, lang)
    notes_header = Words(lang).t("account.col.notes")
    heads = table.drop(columns=[notes_header])
    entries = []
    for (_, head), note in zip(heads.iterrows(), table[notes_header], strict=True):
        line = " · ".join(f"{name}：{value}" if lang == "zh" else f"{name}: {value}" for name, value in head.items())
        entries.append((line, "" if note is None or (isinstance(note, float) and pd.isna(note)) else str(note)))
    return entries


def complaints_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, c = Words(lang), v.complaints
    return pd.DataFrame(
        {
            w.t("account.col.when"): c["opened_at"].map(date_text),
            w.t("account.col.category"): w.labels("complaint", c["category"]),
            w.t("account.col.severity"): w.labels("severity", c["severity"]),
            w.t("account.col.resolved"): c["resolved_at"].map(date_text),
        }
    )


def reports_table(v: AccountView, lang: str) -> pd.DataFrame:
    w, r = Words(lang), v.competitor_reports
    return pd.DataFrame(
        {
            w.t("account.col.when"): r["reported_at"].map(date_text),
            w.t("account.col.competitor"): w.labels("competitor", r["competitor"]),
            w.t("account.col.kind"): w.labels("report_kind", r["kind"]),
            w.t("account.col.description"): r["description"],
        }
    )
