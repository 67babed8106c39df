"""服务方案: the Word proposal for one account, written from the account view's own data.

Sections (SPEC §5): title page, profile and key people, consumption structure with charts, peer
comparison, needs found in interviews, recommended products per area with expected value, churn
risk with retention points, recent service record. Chinese by default, English on request.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable

import pandas as pd
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from analytics.common import rules
from analytics.common.formats import date_text, percent, signed_percent, yuan
from analytics.views.account import charts
from analytics.views.account import tables as account_tables
from analytics.views.account.tables import Words, manager_text
from analytics.views.account.view import NEEDS_MONTHS, AccountView

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HIGH_RISK, MEDIUM_RISK = 0.30, 0.10  # churn probability bands worded in the risk section
EAST_ASIAN_FONT = "Microsoft YaHei"  # what Word sets Chinese in; Latin text keeps the theme font
PEER_ROWS, INTERVIEW_ROWS = 10, 5
CHART_WIDTH = Cm(15.5)


def file_name(v: AccountView, lang: str) -> str:
    return f"{Words(lang).t('proposal.file')}_{v.account_id}_{v.month:%Y%m}.docx"


def docx_bytes(v: AccountView, lang: str = "zh", today: dt.date | None = None) -> bytes:
    """The proposal as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build(v, lang, today).save(buffer)
    return buffer.getvalue()


def write(v: AccountView, out: str | os.PathLike[str], lang: str = "zh", today: dt.date | None = None) -> None:
    build(v, lang, today).save(os.fspath(out))


def build(v: AccountView, lang: str = "zh", today: dt.date | None = None) -> DocumentType:
    """The proposal document of account view `v` in `lang`."""
    w = Words(lang)
    doc = Document()
    _set_fonts(doc)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    _cover(doc, v, w, today or dt.date.today())
    figures = _Figures(doc, w)

    doc.add_heading(w.t("proposal.h.profile"), level=1)
    _table(doc, account_tables.profile_table(v, lang), widths=(Cm(4), Cm(12)))
    if not v.contacts.empty:
        doc.add_heading(w.t("account.contacts"), level=2)
        _table(doc, account_tables.contacts_table(v, lang))

    doc.add_heading(w.t("proposal.h.consumption"), level=1)
    _consumption(doc, v, w, figures)

    doc.add_heading(w.t("proposal.h.peers"), level=1)
    _peers(doc, v, w, figures)

    doc.add_heading(w.t("proposal.h.needs"), level=1)
    _needs(doc, v, w)

    doc.add_heading(w.t("proposal.h.recommendations"), level=1)
    _recommendations(doc, v, w)

    doc.add_heading(w.t("proposal.h.retention"), level=1)
    _retention(doc, v, w)

    doc.add_heading(w.t("proposal.h.service"), level=1)
    _service(doc, v, w)

    note = doc.add_paragraph(w.t("proposal.footer", month=f"{v.month:%Y-%m}"))
    note.runs[0].font.size = Pt(8)
    note.runs[0].font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    return doc


# ---- sections ------------------------------------------------------------------------------


def _cover(doc: DocumentType, v: AccountView, w: Words, today: dt.date) -> None:
    for _ in range(6):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.add_run(w.t("proposal.title"))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = doc.add_paragraph(w.t("proposal.subtitle"))
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name = doc.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run(v.name)
    run.bold, run.font.size = True, Pt(20)
    doc.add_paragraph()
    rows = [
        (w.t("proposal.cover.account_id"), v.account_id),
        (w.t("proposal.cover.manager"), manager_text(v)),
        (w.t("proposal.cover.as_of"), f"{v.month:%Y-%m}"),
        (w.t("proposal.cover.date"), f"{today:%Y-%m-%d}"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for key, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
        cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _consumption(doc: DocumentType, v: AccountView, w: Words, figures: _Figures) -> None:
    change = v.revenue_change_mom
    products = int((v.structure["revenue_yuan"] > 0).sum()) if len(v.structure) else 0
    areas = int((v.revenue_by_area()["revenue_yuan"] > 0).sum())
    doc.add_paragraph(
        w.t(
            "proposal.consumption_line",
            month=f"{v.month:%Y-%m}",
            revenue=yuan(v.revenue_yuan),
            change=w.t("proposal.change_mom", change=signed_percent(change))
            if change is not None
            else w.t("proposal.change_none"),
            products=products,
            areas=areas,
            revenue_12m=yuan(v.revenue_12m_yuan),
        )
    )
    figures.add(charts.area_chart(v, w.lang))
    figures.add(charts.trend_chart(v, w.lang))
    if v.structure.empty:
        doc.add_paragraph(w.t("account.no_billing"))
    else:
        doc.add_heading(w.t("proposal.table_products", month=f"{v.month:%Y-%m}"), level=2)
        _table(doc, account_tables.structure_table(v, w.lang))


def _peers(doc: DocumentType, v: AccountView, w: Words, figures: _Figures) -> None:
    if v.peers.empty:
        doc.add_paragraph(w.t("account.no_peers"))
        return
    doc.add_paragraph(w.t("proposal.peers_intro"))
    doc.add_paragraph(account_tables.peers_caption(v, w.lang))
    chart = charts.peers_chart(v, w.lang, top=PEER_ROWS)
    if chart is not None:
        figures.add(chart)
    _table(doc, account_tables.peers_table(v, w.lang).head(PEER_ROWS))


def _needs(doc: DocumentType, v: AccountView, w: Words) -> None:
    recent = v.recent_interviews()
    doc.add_paragraph(w.t("proposal.needs_intro", n=len(recent), months=NEEDS_MONTHS))
    needs = v.needs()
    voiced = needs[needs["interview_count"] > 0]
    if voiced.empty:
        doc.add_paragraph(w.t("proposal.needs_none"))
    for need in voiced.itertuples():
        doc.add_paragraph(
            w.t("proposal.needs_area", area=w.label("area", need.area), n=need.interview_count), style="List Bullet"
        )
        doc.add_paragraph(
            w.t("proposal.needs_latest", date=date_text(need.latest_at), note=need.latest_note), style="List Continue"
        )
    named_products = sorted({p for ps in recent["products_named"] for p in _items(ps)})
    named_competitors = sorted({c for cs in recent["competitors_named"] for c in _items(cs)})
    if named_products:
        names = dict(zip(v.peers["product_id"], v.peers["product_name"], strict=True)) if len(v.peers) else {}
        listed = "、".join(names.get(p, p) for p in named_products)
        doc.add_paragraph(w.t("proposal.named_products", products=listed))
    if named_competitors:
        listed = "、".join(w.label("competitor", c) for c in named_competitors)
        doc.add_paragraph(w.t("proposal.named_competitors", competitors=listed))


def _recommendations(doc: DocumentType, v: AccountView, w: Words) -> None:
    if v.score is None:
        doc.add_paragraph(w.t("proposal.no_score"))
        return
    for card in v.opportunities().itertuples():
        doc.add_heading(w.label("area", card.area), level=2)
        doc.add_paragraph(
            w.t("proposal.area_line", probability=percent(card.propensity), value=yuan(card.expected_value_yuan))
        )
        if card.products.empty:
            doc.add_paragraph(w.t("proposal.area_none"))
        else:
            _table(doc, account_tables.recommendations_table(card.products, w.lang))
    doc.add_paragraph(w.t("proposal.recommendations_total", value=yuan(v.score.get("opportunity_value_yuan"))))


def _retention(doc: DocumentType, v: AccountView, w: Words) -> None:
    if v.score is not None:
        probability = v.score["churn_probability"] or 0.0
        doc.add_paragraph(
            w.t(
                "proposal.risk_line",
                probability=percent(probability),
                at_risk=yuan(v.score["revenue_at_risk_yuan"]),
                revenue_12m=yuan(v.score["revenue_12m_yuan"]),
            )
        )
        level = "high" if probability >= HIGH_RISK else "medium" if probability >= MEDIUM_RISK else "low"
        doc.add_paragraph(w.t(f"proposal.risk_level.{level}"))
    points = account_tables.reason_words(v, w.lang)
    if points:
        doc.add_paragraph(w.t("proposal.retention_points"))
        for point in points:
            doc.add_paragraph(point, style="List Bullet")
    for point in _service_points(v, w):
        doc.add_paragraph(point, style="List Bullet")


def _service_points(v: AccountView, w: Words) -> Iterable[str]:
    """Retention points from the record itself (agreement, complaints, poaching, decision-maker)."""
    expires = v.profile.get("agreement_expires_on")
    if expires is not None and pd.Timestamp(expires) >= pd.Timestamp(v.month):
        yield w.t("proposal.point.agreement", date=date_text(expires))
    if len(v.complaints):
        severe = int(v.complaints["severity"].isin(["严重", "重大"]).sum())
        yield w.t("proposal.point.complaints", n=len(v.complaints), severe=severe)
    urgent = int((v.competitor_reports["kind"] == rules.load().urgent_kind).sum())  # the rules file as it is now
    if urgent:
        yield w.t("proposal.point.poaching", n=urgent)
    deciders = v.contacts[v.contacts["role"] == "决策人"]
    if len(deciders) and (deciders["carrier"] != "中国移动").any():
        yield w.t("proposal.point.decision_maker")


def _service(doc: DocumentType, v: AccountView, w: Words) -> None:
    for title, frame, rows in [
        ("proposal.service_interviews", account_tables.interviews_table(v, w.lang), INTERVIEW_ROWS),
        ("account.complaints", account_tables.complaints_table(v, w.lang), None),
        ("account.reports", account_tables.reports_table(v, w.lang), None),
    ]:
        doc.add_heading(w.t(title), level=2)
        if frame.empty:
            doc.add_paragraph(w.t("account.none"))
        else:
            _table(doc, frame.head(rows) if rows else frame)


# ---- building blocks -----------------------------------------------------------------------


class _Figures:
    """Numbered figures: the PNG chart, then its caption."""

    def __init__(self, doc: DocumentType, w: Words) -> None:
        self.doc, self.w, self.count = doc, w, 0

    def add(self, chart: charts.Chart) -> None:
        self.count += 1
        self.doc.add_picture(io.BytesIO(chart.png), width=CHART_WIDTH)
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = self.doc.add_paragraph(self.w.t("proposal.figure", n=self.count, title=chart.title))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.runs[0].font.size = Pt(9)


def _table(doc: DocumentType, frame: pd.DataFrame, widths: tuple[Cm, ...] | None = None) -> None:
    """A DataFrame as a Word table with a bold header row (every value as text)."""
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Light Grid Accent 1"
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = str(column)
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            if widths:
                cell.width = widths[i]
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()


def _set_fonts(doc: DocumentType) -> None:
    """Chinese text in Word's East Asian font for every style the proposal uses."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "List Continue"):
        style = doc.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)


def _items(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(x) for x in value]
