"""客户经营简报: the manager's internal brief on one account, from the account view's own data
(the same frames and tables the page shows, so its figures are the page's).

Risk and its reasons, revenue at risk, competitor activity, complaints, key people and their
carriers, retention points, the opportunities per area with their products and values, and the
latest interviews. Marked internal in its header.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH

from analytics.common import rules
from analytics.common.formats import date_text, percent, yuan
from analytics.views.account import charts
from analytics.views.account import tables as account_tables
from analytics.views.account.documents import docx_parts as parts
from analytics.views.account.tables import Words, manager_text
from analytics.views.account.view import NEEDS_MONTHS, AccountView, scope_lines

INTERVIEW_ROWS = 5


def build(v: AccountView, lang: str = "zh", today: dt.date | None = None) -> DocumentType:
    """The internal brief of account view `v` in `lang`."""
    w, today = Words(lang), today or dt.date.today()
    manager = str(v.profile.get("manager_name") or v.profile.get("manager_id") or "")
    doc = parts.new_document(
        w,
        title=f"{w.t('brief.title')} · {v.name}",
        author=manager,
        header=f"{parts.department(w)} · {w.t('brief.internal')}",
        today=today,
    )
    title = doc.add_paragraph(style="Title")
    title.add_run(w.t("brief.title"))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts.key_values(
        doc,
        [
            (w.t("account.field.name"), v.name),
            (w.t("account.field.id"), v.account_id),
            (w.t("account.field.manager"), manager_text(v)),
            (w.t("proposal.cover.as_of"), f"{v.month:%Y-%m}"),
            (w.t("proposal.cover.date"), f"{today:%Y-%m-%d}"),
        ],
    )
    figures = parts.Figures(doc, w)
    doc.add_heading(w.t("brief.h.risk"), level=1)
    _risk(doc, v, w)
    doc.add_heading(w.t("brief.h.competition"), level=1)
    _competition(doc, v, w)
    doc.add_heading(w.t("brief.h.people"), level=1)
    _people(doc, v, w)
    doc.add_heading(w.t("brief.h.retention"), level=1)
    for point in retention_points(v, w):
        doc.add_paragraph(point, style="List Bullet")
    doc.add_heading(w.t("brief.h.opportunities"), level=1)
    _opportunities(doc, v, w, figures)
    doc.add_heading(w.t("brief.h.consumption"), level=1)
    _consumption(doc, v, w, figures)
    doc.add_heading(w.t("brief.h.interviews"), level=1)
    frame = account_tables.interviews_table(v, w.lang)
    if frame.empty:
        doc.add_paragraph(w.t("account.none"))
    else:
        parts.table(doc, frame.head(INTERVIEW_ROWS))
    parts.note(doc, w.t("brief.closing", month=f"{v.month:%Y-%m}"))
    return doc


def risk_level(v: AccountView) -> str:
    """ "at_risk" when the account is at risk (`AccountView.is_at_risk`, the one definition the
    portfolio, retention and compliance pages count by), else "watch" from half the threshold on,
    else "low"."""
    if v.is_at_risk:
        return "at_risk"
    half = rules.at_risk_probability() / 2
    return "watch" if rules.is_at_risk((v.score or {}).get("churn_probability"), half) else "low"


def _risk(doc: DocumentType, v: AccountView, w: Words) -> None:
    if v.score is None:
        doc.add_paragraph(w.t("proposal.no_score"))
        return
    doc.add_paragraph(
        w.t(
            "proposal.risk_line",
            probability=percent(v.score["churn_probability"]),
            at_risk=yuan(v.score["revenue_at_risk_yuan"]),
            revenue_12m=yuan(v.score["revenue_12m_yuan"]),
        )
    )
    doc.add_paragraph(w.t(f"brief.level.{risk_level(v)}", threshold=percent(rules.at_risk_probability(), 0)))
    reasons = account_tables.reason_words(v, w.lang)
    if reasons:
        doc.add_paragraph(w.t("brief.reasons"))
        for reason in reasons:
            doc.add_paragraph(reason, style="List Bullet")


def _competition(doc: DocumentType, v: AccountView, w: Words) -> None:
    for title, frame in [
        ("account.reports", account_tables.reports_table(v, w.lang)),
        ("account.complaints", account_tables.complaints_table(v, w.lang)),
    ]:
        doc.add_heading(w.t(title), level=2)
        if frame.empty:
            doc.add_paragraph(w.t("account.none"))
        else:
            parts.table(doc, frame)
    competitors = sorted({c for cs in v.recent_interviews()["competitors_named"] for c in _items(cs)})
    if competitors:
        sep = "、" if w.lang == "zh" else ", "
        listed = sep.join(w.label("competitor", c) for c in competitors)
        doc.add_paragraph(w.t("proposal.named_competitors", competitors=listed))


def _people(doc: DocumentType, v: AccountView, w: Words) -> None:
    if v.contacts.empty:
        doc.add_paragraph(w.t("account.none"))
        return
    parts.table(doc, account_tables.contacts_table(v, w.lang))
    others = int((v.contacts["carrier"] != "中国移动").sum())
    doc.add_paragraph(w.t("brief.people_line", n=len(v.contacts), others=others))


def retention_points(v: AccountView, w: Words) -> list[str]:
    """What to do about the risk, from the record (agreement, complaints, poaching, decision-maker)."""
    points = []
    expires = v.profile.get("agreement_expires_on")
    if expires is not None and pd.Timestamp(expires) >= pd.Timestamp(v.month):
        points.append(w.t("proposal.point.agreement", date=date_text(expires)))
    if len(v.complaints):
        severe = int(v.complaints["severity"].isin(["严重", "重大"]).sum())
        points.append(w.t("proposal.point.complaints", n=len(v.complaints), severe=severe))
    urgent = int((v.competitor_reports["kind"] == rules.load().urgent_kind).sum())
    if urgent:
        points.append(w.t("proposal.point.poaching", n=urgent))
    deciders = v.contacts[v.contacts["role"] == "决策人"]
    if len(deciders) and (deciders["carrier"] != "中国移动").any():
        points.append(w.t("proposal.point.decision_maker"))
    return points or [w.t("brief.point.regular")]


def _opportunities(doc: DocumentType, v: AccountView, w: Words, figures: parts.Figures) -> None:
    if v.score is None:
        doc.add_paragraph(w.t("proposal.no_score"))
        return
    if not v.peers.empty:
        doc.add_paragraph(account_tables.peers_caption(v, w.lang))
        figures.add(charts.peers_chart(v, w.lang))
    for card in v.opportunities().itertuples():
        doc.add_heading(w.label("area", card.area), level=2)
        doc.add_paragraph(
            w.t(
                "brief.area_line",
                probability=percent(card.propensity),
                value=yuan(card.expected_value_yuan),
                n=card.interview_count,
                months=NEEDS_MONTHS,
            )
        )
        if card.products.empty:
            doc.add_paragraph(w.t("brief.area_none"))
        else:
            parts.table(doc, account_tables.recommendations_table(card.products, w.lang))
    doc.add_paragraph(w.t("proposal.recommendations_total", value=yuan(v.score.get("opportunity_value_yuan"))))
    doc.add_heading(w.t("account.scope_title"), level=2)
    lines = scope_lines(v, w.lang)
    if not lines:
        doc.add_paragraph(w.t("account.scope_none"))
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")


def _consumption(doc: DocumentType, v: AccountView, w: Words, figures: parts.Figures) -> None:
    figures.add(charts.area_chart(v, w.lang))
    figures.add(charts.trend_chart(v, w.lang))
    if not v.structure.empty:
        parts.table(doc, account_tables.structure_table(v, w.lang))


def _items(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(x) for x in value]
