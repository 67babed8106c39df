"""User and imported text is shown as text on every surface, and no export holds a cell a
spreadsheet would run (issue 14).

A copy of the prepared demo warehouse gets Markdown/HTML payloads (a link, an image, a colour
directive, bold, a formula, HTML tags and a comment) in what an operator's files bring — an
account's name and id-bearing captions, its manager's name, its contacts, a product name, interview
notes, a competitor report, a retention action — and in what a user types into a form. Every page
that shows them is run with AppTest as each role that may open it, and every string the page hands
to an element that renders Markdown (titles, captions, alerts, metrics, tabs, expanders, widget
labels, button-group options …) must hold none of the payloads unescaped; Plotly charts must hold no
raw HTML tag from them; every CSV and Excel file the page offers must hold no formula cell.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import string
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from apptest import offered_downloads
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.access import auth
from analytics.common import rules
from analytics.ui import text
from analytics.views.account import documents
from analytics.views.account import view as account
from analytics.views.exports import FORMULA_STARTS
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]

PAYLOAD = (
    "[点我](https://x.example/a) ![i](https://x.example/t.png) :red[红] **粗** $x^2$ <b>b</b> <!--c--> "
    '<a href="https://x.example/h">h</a>'
)
FRAGMENTS = ("](https://x.example", "![i]", ":red[", "**粗**", "$x^2$", "<b>", "<!--", "<a href=")
HTML_FRAGMENTS = ("<b>b</b>", "<!--", "<a href=")
FORMULA = '=HYPERLINK("https://x.example","x")'
NAME = f"{FORMULA} 集团 {PAYLOAD}"
MANAGER = f"@经理 {PAYLOAD}"
CONTACT = f"-联系人 {PAYLOAD}"
PRODUCT = f"+产品 {PAYLOAD}"
NOTES = f"+纪要 {PAYLOAD}"
DESCRIPTION = f"{FORMULA} {PAYLOAD}"
ACTION = f"-措施 {PAYLOAD}"
TYPED = "[点](https://x.example)![i](x.png):red[红]**粗**$x^2$<b>b</b>"  # one word (an id), under 64 characters

# (element, field) pairs that Streamlit shows as plain text: select options and typed values.
PLAIN = {
    ("Text", "body"),  # st.text: "without Markdown or HTML parsing"
    ("Selectbox", "options"),
    ("Selectbox", "raw_value"),
    ("MultiSelect", "options"),
    ("MultiSelect", "raw_values"),
    ("TextArea", "default"),
    ("TextArea", "value"),
    ("TextInput", "default"),
    ("TextInput", "value"),
}


@pytest.fixture(scope="module")
def hostile(scored_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A copy of the prepared warehouse whose texts around one account of the demo manager are
    payloads: {"path", "account_id", "manager_id", "month"}."""
    path = tmp_path_factory.mktemp("hostile") / "scored.duckdb"
    shutil.copy(scored_path, path)
    shutil.copytree(config.models_dir(scored_path), config.models_dir(path))
    with db.connect(path) as con:
        manager_id = con.execute("select manager_id from app_users where username = 'manager'").fetchone()[0]
        month = con.execute("select max(as_of_month) from scores").fetchone()[0]
        account_id = con.execute(
            "select scores.account_id from scores inner join accounts using (account_id) "
            "where accounts.manager_id = ? and scores.as_of_month = ? and scores.churn_probability >= ? "
            "and exists (select 1 from contacts where contacts.account_id = accounts.account_id) "
            "order by scores.revenue_at_risk_yuan desc limit 1",
            [manager_id, month, rules.at_risk_probability()],  # at risk: on every list of the portfolio
        ).fetchone()[0]
        con.execute("update accounts set account_name = ? where account_id = ?", [NAME, account_id])
        con.execute("update managers set manager_name = ? where manager_id = ?", [MANAGER, manager_id])
        con.execute(
            "update contacts set contact_name = ?, department = ?, title = ? where account_id = ?",
            [CONTACT, CONTACT, CONTACT, account_id],
        )
        # the product peers buy most (first in the account's peer chart); the stored marts carry
        # catalogue names too, as a rebuild after importing the catalogue would
        product_id = account.load(con, account_id, month).peers.iloc[0]["product_id"]
        for table in ("products", "mart_peer_benchmarks", "mart_account_whitespace"):
            con.execute(f"update {table} set product_name = ? where product_id = ?", [PRODUCT, product_id])
        con.execute("update interactions set notes = ? where manager_id = ?", [NOTES, manager_id])
        con.execute("update competitor_reports set description = ? where manager_id = ?", [DESCRIPTION, manager_id])
        con.execute(  # the demo has no retention actions: one, written as the form would
            "insert into retention_actions (action_id, account_id, owner_id, action, status, created_at) "
            "values ('A-hostile', ?, ?, ?, '进行中', ? + interval 10 day)",
            [account_id, manager_id, ACTION, month],
        )
    return {"path": path, "account_id": account_id, "manager_id": manager_id, "month": month}


def open_page(hostile: dict, monkeypatch: pytest.MonkeyPatch, username: str, page: str, **query: str) -> AppTest:
    """`page` of the hostile warehouse, signed in through the form as `username`."""
    monkeypatch.setenv("NEEDSMINE_DB", str(hostile["path"]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(auth.DEMO_PASSWORD)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click()
    at.run()
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _strings(message: Message) -> Iterator[tuple[str, str]]:
    """(top-level field, text) of every string in a protobuf message, nested ones included."""
    for field, value in message.ListFields():
        single = isinstance(value, str | bytes | Message) or not hasattr(value, "__iter__")
        values = [value] if single else list(value)
        for item in values:
            if isinstance(item, Message):
                yield from ((field.name, s) for _, s in _strings(item))
            elif isinstance(item, str):
                yield field.name, item


def shown(at: AppTest) -> tuple[list[tuple[str, str]], list[str]]:
    """What the page hands to Streamlit: ("Element.field", text) of every string rendered as
    Markdown, and every string of its Plotly charts."""
    rendered: list[tuple[str, str]] = []
    charted: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            kind = proto.DESCRIPTOR.name
            if kind == "PlotlyChart":
                charted.extend(_json_strings(json.loads(proto.spec)))
            else:
                rendered.extend((f"{kind}.{f}", s) for f, s in _strings(proto) if (kind, f) not in PLAIN)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return rendered, charted


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def assert_shown_as_text(at: AppTest) -> tuple[list[str], list[str]]:
    """No Markdown surface holds a payload unescaped, no chart a raw HTML tag of one; returns the
    rendered texts and the chart texts for the page's own assertions."""
    rendered, charted = shown(at)
    raw = [(where, s) for where, s in rendered if any(f in s for f in FRAGMENTS)]
    assert not raw, f"rendered as Markdown: {raw[:3]}"
    tags = [s for s in charted if any(f in s for f in HTML_FRAGMENTS)]
    assert not tags, f"HTML in a chart: {tags[:3]}"
    return [s for _, s in rendered], charted


def assert_no_formula_cells(files: dict, expected: str | None = None) -> int:
    """Every CSV and Excel file offered holds no cell a spreadsheet would run: a text cell starting
    with =, +, -, @, tab or CR must be a number (a negative amount). With `expected`, some cell
    holds it quoted. Returns the number of spreadsheet files checked."""
    checked, quoted = 0, False
    for name, write in files.items():
        if name.endswith(".csv"):
            cells = [c for row in csv.reader(io.StringIO(write().decode("utf-8-sig"))) for c in row]
        elif name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(write()))
            every = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
            assert not [c.coordinate for c in every if c.data_type == "f"], f"{name}: formula cells"
            cells = [c.value for c in every if isinstance(c.value, str)]
        else:
            continue
        checked += 1
        running = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
        assert not running, f"{name}: {running[:3]}"
        quoted = quoted or (expected is not None and any(c == f"'{expected}" for c in cells))
    assert expected is None or quoted, f"{expected!r} not exported quoted"
    return checked


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# ---- the helper itself -------------------------------------------------------------------------


def test_markdown_escapes_every_special_character_and_keeps_the_text():
    written = PAYLOAD + "\n# 标题\n> 引用\t| a | b | `x` _y_ ~z~ &lt; 1. \\"
    escaped = text.markdown(written)
    assert not any(f in escaped for f in FRAGMENTS)
    assert "\n" not in escaped and "\t" not in escaped  # a new line could start a heading or a list
    # every ASCII punctuation character escaped, nothing else: each renders as the character itself
    position = 0
    while position < len(escaped):
        if escaped[position] == "\\":
            assert escaped[position + 1] in string.punctuation
            position += 2
        else:
            assert escaped[position] not in string.punctuation, escaped[position:]
            position += 1
    assert re.sub(r"\\(.)", r"\1", escaped) == written.replace("\n", " ").replace("\t", " ")
    assert text.markdown("集团客户") == "集团客户" and text.markdown(None) == ""
    assert text.chart("<b>b</b> & <a href='x'>") == "&lt;b&gt;b&lt;/b&gt; &amp; &lt;a href='x'&gt;"


# ---- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["head", "manager", "analyst"])
def test_the_account_page_shows_its_name_manager_and_products_as_text(hostile, monkeypatch, username):
    at = open_page(hostile, monkeypatch, username, "pages/account.py", account=hostile["account_id"])
    assert_shown_as_text(at)
    assert at.subheader[0].value == text.markdown(NAME)  # the heading is the escaped name, nothing else
    assert any(text.markdown(MANAGER) in c.value for c in at.caption)
    assert any(CONTACT in set(map(str, f.value.stack())) for f in at.dataframe)  # a table cell, as written


def test_an_account_id_in_the_link_is_echoed_as_text(hostile, monkeypatch):
    at = open_page(hostile, monkeypatch, "head", "pages/account.py", account=TYPED)
    assert_shown_as_text(at)
    assert any(text.markdown(TYPED[:40]) in w.value for w in at.warning)


@pytest.mark.parametrize("username", ["head", "manager"])
def test_the_opportunities_page_names_the_manager_as_text_and_exports_no_formula(hostile, monkeypatch, username):
    files = offered_downloads(monkeypatch)
    at = open_page(hostile, monkeypatch, username, "pages/opportunities.py")
    at.selectbox(key="opportunities_manager").set_value(hostile["manager_id"]).run()
    assert not at.exception
    assert_shown_as_text(at)
    assert any(text.markdown(MANAGER) in c.value for c in at.caption)
    assert any(name.startswith(f"opportunities_{hostile['manager_id']}_") for name in files)
    assert_no_formula_cells({n: w for n, w in files.items() if n.endswith(".xlsx")}, NAME)  # the name quoted


@pytest.mark.parametrize(("username", "expected"), [("head", MANAGER), ("manager", NAME)])
def test_the_portfolio_charts_and_downloads_hold_the_names_as_text(hostile, monkeypatch, username, expected):
    files = offered_downloads(monkeypatch)
    at = open_page(hostile, monkeypatch, username, "pages/portfolio.py")
    _, charted = assert_shown_as_text(at)
    assert any(text.chart(MANAGER) in s for s in charted)  # the by-manager chart
    # at risk (the manager's account first in his), by district, by manager (the manager's name), risk bands
    assert assert_no_formula_cells(files, expected) >= 4


@pytest.mark.parametrize(
    ("page", "period_key", "expected"),
    [
        ("pages/competitor_reports.py", "reports_period", DESCRIPTION),
        ("pages/interviews.py", "interviews_period", NOTES),
        ("pages/retention.py", "retention_period", ACTION),
    ],
)
@pytest.mark.parametrize("username", ["head", "manager"])
def test_the_daily_pages_show_and_export_what_was_written_as_text(
    hostile, monkeypatch, username, page, period_key, expected
):
    files = offered_downloads(monkeypatch)
    at = open_page(hostile, monkeypatch, username, page)
    at.selectbox(key=period_key).set_value(hostile["month"]).run()  # a month the demo has rows in
    assert not at.exception
    if page.endswith("interviews.py"):
        at.toggle(key="interviews_only_under").set_value(False).run()
    assert_shown_as_text(at)
    listed = {str(cell) for f in at.dataframe for cell in f.value.stack()}
    assert expected in listed  # the text itself, in a table cell
    assert assert_no_formula_cells(files) >= 2


def _typed_account_form() -> None:
    """A competitor report whose account is typed in (AppTest can only pick listed options, so the
    typed value goes to the form's own validation directly), its errors drawn by the form."""
    import streamlit as st

    from analytics.ui import forms
    from analytics.ui.connection import connection, db_path
    from analytics.views.daily_work import records

    values = {"manager_id": None, "kind": "产品", "competitor": "中国电信", "description": "降价"}
    try:
        records.record_competitor_report(connection(db_path()), {**values, "account_id": st.session_state["typed"]})
    except records.ValidationError as err:
        st.session_state["cr_errors"] = err.problems
    forms.field_error("cr", "account_id")


def test_a_typed_account_id_is_echoed_in_the_form_error_as_text(hostile, monkeypatch):
    monkeypatch.setenv("NEEDSMINE_DB", str(hostile["path"]))
    at = AppTest.from_function(_typed_account_form, default_timeout=120)
    at.session_state["typed"] = TYPED
    at.run()
    assert not at.exception, at.exception
    assert_shown_as_text(at)
    assert [e.value for e in at.error] == [f"集团编号 {text.markdown(TYPED)} 不存在"]  # the id escaped, nothing else


@pytest.mark.parametrize("username", ["head", "analyst"])
def test_the_compliance_and_trends_pages_show_names_as_text(hostile, monkeypatch, username):
    files = offered_downloads(monkeypatch)
    at = open_page(hostile, monkeypatch, username, "pages/compliance.py")
    assert_shown_as_text(at)
    at.session_state["compliance_section"] = "reports"
    at.run()
    assert_shown_as_text(at)
    assert assert_no_formula_cells(files) >= 1
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    at.selectbox(key="trends_dimension").set_value("product").run()
    assert not at.exception
    _, charted = assert_shown_as_text(at)
    assert any(text.chart(PRODUCT) in s for s in charted)


# ---- the Word documents --------------------------------------------------------------------------


def test_the_documents_print_the_payloads_as_literal_text(hostile, monkeypatch):
    files = offered_downloads(monkeypatch)
    open_page(hostile, monkeypatch, "head", "pages/account.py", account=hostile["account_id"])
    documents = {name: write() for name, write in files.items() if name.endswith(".docx")}
    assert len(documents) == 2
    for name, data in documents.items():
        words = _document_text(data)
        assert NAME in words, name  # printed as written: Word runs neither formulas nor Markdown
        assert "HYPERLINK" not in _fields(data), name


def test_a_document_is_written_for_a_name_with_control_characters(hostile):
    with db.connect(hostile["path"]) as con:
        v = account.load(con, hostile["account_id"], hostile["month"])
    hostile_name = "集团\x00名\x01称\x0b\ufffe" + FORMULA
    v = dataclasses.replace(v, profile={**v.profile, "account_name": hostile_name, "manager_name": "经理\x07"})
    for kind in documents.KINDS:
        words = _document_text(documents.docx_bytes(v, kind, "zh"))
        assert "集团名称" + FORMULA in words and "\x00" not in words


def _document_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def _fields(data: bytes) -> str:
    """The field instructions of a document (PAGE, NUMPAGES …): what Word would compute."""
    document = docx.Document(io.BytesIO(data))
    return " ".join(e.text or "" for e in document.element.body.iter() if e.tag.endswith("}instrText"))
