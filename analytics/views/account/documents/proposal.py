"""服务方案: the proposal for the customer, written from the account view's own data.

It goes to the customer, so it holds only what is theirs or ours to offer: their current services
by area and their scale, the needs heard in the account's interviews (the areas and products the
notes model read, not the notes themselves), the recommended products per area with what each
does for them and an indicative price, the next steps and the manager's contact. Nothing
internal: no churn probability or risk, revenue at risk, complaints, competitor reports, key
people's carriers, model reasons or peer shares (the manager's brief, `brief.py`, has those).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from analytics.common.formats import date_text, yuan
from analytics.views.account.documents import docx_parts as parts
from analytics.views.account.tables import Words, size_band_text
from analytics.views.account.view import AccountView, product_label


def build(v: AccountView, lang: str = "zh", today: dt.date | None = None) -> DocumentType:
    """The customer's proposal of account view `v` in `lang`."""
    w, today = Words(lang), today or dt.date.today()
    manager = str(v.profile.get("manager_name") or v.profile.get("manager_id") or "")
    doc = parts.new_document(
        w,
        title=f"{w.t('proposal.title')} · {v.name}",
        author=manager,
        header=parts.department(w),
        today=today,
    )
    _cover(doc, v, w, manager, today)
    doc.add_heading(w.t("customer.h.situation"), level=1)
    _situation(doc, v, w)
    doc.add_heading(w.t("customer.h.needs"), level=1)
    _needs(doc, v, w)
    doc.add_heading(w.t("customer.h.solution"), level=1)
    _solution(doc, v, w)
    doc.add_heading(w.t("customer.h.next"), level=1)
    _next_steps(doc, v, w, manager)
    parts.note(doc, w.t("customer.closing", month=f"{v.month:%Y-%m}"))
    return doc


def contact_rows(v: AccountView, w: Words, manager: str) -> list[tuple[str, str]]:
    """The manager's name, phone and e-mail (those the managers table has)."""
    rows = [(w.t("customer.manager"), manager)]
    if v.profile.get("manager_phone"):
        rows.append((w.t("customer.phone"), str(v.profile["manager_phone"])))
    if v.profile.get("manager_email"):
        rows.append((w.t("customer.email"), str(v.profile["manager_email"])))
    return rows


def _cover(doc: DocumentType, v: AccountView, w: Words, manager: str, today: dt.date) -> None:
    for _ in range(5):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.add_run(w.t("proposal.title"))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name = doc.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run(w.t("customer.prepared_for", name=v.name))
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph()
    parts.key_values(
        doc,
        [
            (w.t("customer.from"), parts.department(w)),
            *contact_rows(v, w, manager),
            (w.t("proposal.cover.date"), f"{today:%Y-%m-%d}"),
        ],
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _situation(doc: DocumentType, v: AccountView, w: Words) -> None:
    p = v.profile
    members = v.member_count
    doc.add_paragraph(
        w.t(
            "customer.situation_line",
            industry=w.label("industry", p["industry"]),
            band=size_band_text(p["size_band"], w.lang),
            members=f"{members:,}" if members else "—",
            areas=int((v.revenue_by_area()["revenue_yuan"] > 0).sum()),
        )
    )
    services = services_by_area(v, w)
    if services.empty:
        doc.add_paragraph(w.t("customer.no_services"))
    else:
        parts.table(doc, services)


def services_by_area(v: AccountView, w: Words) -> pd.DataFrame:
    """The account's services this month per area: area, products, monthly fee (their own bill)."""
    s = v.structure[v.structure["revenue_yuan"] > 0] if len(v.structure) else v.structure
    sep = "、" if w.lang == "zh" else ", "
    rows = []
    for area, group in s.groupby("area", sort=False) if len(s) else []:
        names = [product_label(i, n, w.lang) for i, n in zip(group["product_id"], group["product_name"], strict=True)]
        rows.append(
            {
                w.t("account.col.area"): w.label("area", area),
                w.t("customer.col.services"): sep.join(names),
                w.t("customer.col.monthly_fee", month=f"{v.month:%Y-%m}"): yuan(group["revenue_yuan"].sum()),
            }
        )
    return pd.DataFrame(rows)


def _needs(doc: DocumentType, v: AccountView, w: Words) -> None:
    needs = v.needs()
    voiced = needs[needs["interview_count"] > 0]
    if voiced.empty:
        doc.add_paragraph(w.t("customer.needs_none"))
    else:
        doc.add_paragraph(w.t("customer.needs_intro"))
        for need in voiced.itertuples():
            doc.add_paragraph(
                w.t("customer.need_area", area=w.label("area", need.area), date=date_text(need.latest_at)),
                style="List Bullet",
            )
    named = named_products(v, w)
    if named:
        sep = "、" if w.lang == "zh" else ", "
        doc.add_paragraph(w.t("customer.named_products", products=sep.join(named)))
    doc.add_paragraph(w.t("customer.analysis"))


def named_products(v: AccountView, w: Words) -> list[str]:
    """Products named in the recent interviews, by their display names."""
    recent = v.recent_interviews()
    ids = sorted({str(p) for ps in recent["products_named"] for p in _items(ps)})
    names = {}
    for frame in (v.peers, v.recommendations, v.structure):
        if len(frame) and "product_name" in frame.columns:
            names.update(zip(frame["product_id"], frame["product_name"], strict=True))
    return [product_label(i, names.get(i, i), w.lang) for i in ids]


def _solution(doc: DocumentType, v: AccountView, w: Words) -> None:
    if v.recommendations.empty:
        doc.add_paragraph(w.t("customer.solution_none"))
        return
    doc.add_paragraph(w.t("customer.solution_intro"))
    needs = v.needs().set_index("area")
    for card in v.opportunities().itertuples():
        if card.products.empty:
            continue
        doc.add_heading(w.label("area", card.area), level=2)
        voiced = int(needs.loc[card.area, "interview_count"]) > 0
        key = "customer.area_heard" if voiced else "customer.area_common"
        doc.add_paragraph(w.t(key, area=w.label("area", card.area)))
        parts.table(doc, solution_table(card.products, w))
    doc.add_paragraph(w.t("customer.price_note"))


def solution_table(products: pd.DataFrame, w: Words) -> pd.DataFrame:
    """The recommended products of one area as the customer reads them: name, what it does for
    them, the list price and what a year of it typically costs a customer like them."""
    names = [product_label(i, n, w.lang) for i, n in zip(products["product_id"], products["product_name"], strict=True)]
    return pd.DataFrame(
        {
            w.t("account.col.product"): names,
            w.t("customer.col.value"): [w.label("product_value", i) for i in products["product_id"]],
            w.t("customer.col.price"): [
                _price(price, unit, w)
                for price, unit in zip(products["list_price_yuan"], products["billing_unit"], strict=True)
            ],
            w.t("customer.col.annual"): products["annual_value_yuan"].map(yuan),
        }
    )


def _price(price: object, unit: object, w: Words) -> str:
    if price is None or pd.isna(price):
        return "—"
    amount = f"{float(price):,.2f}".rstrip("0").rstrip(".")
    return f"{amount} {w.label('price_unit', unit)}" if unit else amount


def _next_steps(doc: DocumentType, v: AccountView, w: Words, manager: str) -> None:
    for n in (1, 2, 3):
        doc.add_paragraph(w.t(f"customer.next.{n}"), style="List Number")
    doc.add_paragraph(w.t("customer.contact_line"))
    parts.key_values(doc, contact_rows(v, w, manager))


def _items(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(x) for x in value]
