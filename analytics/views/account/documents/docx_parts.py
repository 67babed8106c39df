"""What both documents are built of: an A4 page with the department in the header and "第 X 页 /
共 Y 页" in the footer (Word fields PAGE and NUMPAGES), core properties naming the manager,
East Asian fonts, tables from DataFrames and numbered figures."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from analytics import config
from analytics.views.account import charts
from analytics.views.account.tables import Words

EAST_ASIAN_FONT = "Microsoft YaHei"  # what Word sets Chinese in; Latin text keeps the theme font
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.2)
CHART_WIDTH = Cm(15.5)
GREY = RGBColor(0x80, 0x80, 0x80)
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "List Number", "Header", "Footer")


def department(w: Words) -> str:
    """The operator's department for the page header: the setting, else the table's default."""
    return config.operator_department() or w.t("documents.department")


def new_document(w: Words, *, title: str, author: str, header: str, today: dt.date) -> DocumentType:
    """An empty A4 document with its header, page-numbered footer and core properties."""
    doc = Document()
    for name in STYLES:
        fonts = doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    for section in doc.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = Cm(2.5)
        head = section.header.paragraphs[0]
        head.text = header
        head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _small(head)
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, between, after = w.t("documents.page").split("{}")
        foot.add_run(before)
        _field(foot, "PAGE", "1")
        foot.add_run(between)
        _field(foot, "NUMPAGES", "1")
        foot.add_run(after)
        _small(foot)
    props = doc.core_properties
    props.author = props.last_modified_by = author
    props.title = title
    props.comments = ""
    props.created = props.modified = dt.datetime.combine(today, dt.time(9, 0))
    props.language = "zh-CN" if w.lang == "zh" else "en"
    return doc


def _field(paragraph: Paragraph, code: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) in the paragraph; `shown` until Word updates it."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = shown
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, text, end):
        run._r.append(element)


def _small(paragraph: Paragraph) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY


def note(doc: DocumentType, text: str) -> None:
    """A small grey line (the documents' closing remark)."""
    _small(doc.add_paragraph(text))


def key_values(doc: DocumentType, rows: list[tuple[str, str]]) -> None:
    """A two-column table of labels (bold) and values."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    widths = (Cm(4.5), Cm(12.1))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid (LibreOffice reads it) …
    for key, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
        cells[0].paragraphs[0].runs[0].bold = True
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width  # … and each cell (Word reads it)
    doc.add_paragraph()


def table(doc: DocumentType, frame: pd.DataFrame) -> None:
    """A DataFrame as a Word table with a bold header row (every value as text)."""
    out = doc.add_table(rows=1, cols=len(frame.columns))
    out.style = "Light Grid Accent 1"
    for cell, column in zip(out.rows[0].cells, frame.columns, strict=True):
        cell.text = str(column)
    for values in frame.itertuples(index=False):
        for cell, value in zip(out.add_row().cells, values, strict=True):
            cell.text = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    for row in out.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()


class Figures:
    """Numbered figures: the PNG chart, then its caption."""

    def __init__(self, doc: DocumentType, w: Words) -> None:
        self.doc, self.w, self.count = doc, w, 0

    def add(self, chart: charts.Chart | None) -> None:
        if chart is None:
            return
        self.count += 1
        self.doc.add_picture(io.BytesIO(chart.png), width=CHART_WIDTH)
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = self.doc.add_paragraph(self.w.t("proposal.figure", n=self.count, title=chart.title))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.runs[0].font.size = Pt(9)


def bytes_of(doc: DocumentType) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
