"""The account's documents (analytics/views/account/documents/): the customer's 服务方案, which must
hold nothing internal, and the manager's 客户经营简报, whose figures are the account view's; and
`needsmine proposal --kind`."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.shared import Cm
from matplotlib.figure import Figure

from analytics import cli
from analytics.common import i18n
from analytics.common.formats import percent, yuan
from analytics.views.account import charts, documents
from analytics.views.account import view as account
from analytics.views.account.documents import docx_parts
from analytics.warehouse import db

TOP = 3  # the manager's top at-risk accounts checked
INTERNAL = {
    "zh": ("离网", "风险", "异网", "争抢", "投诉", "流失", "挽留", "竞争", "中国电信", "中国联通", "中国广电", "概率"),
    "en": ("churn", "risk", "competitor", "complaint", "poaching", "retention", "probability", "China Telecom"),
}


@pytest.fixture(scope="module")
def top_views(scored_path: Path) -> list[account.AccountView]:
    """The `manager` demo user's accounts with the highest churn probability, as the view loads them."""
    with db.connect(scored_path) as con:
        manager_id = con.execute("select manager_id from app_users where username = 'manager'").fetchone()[0]
        month = account.latest_scored_month(con)
        ids = [
            r[0]
            for r in con.execute(
                """
                select scores.account_id from scores inner join accounts using (account_id)
                where accounts.manager_id = ? and scores.as_of_month = ?
                order by scores.churn_probability desc, scores.account_id limit ?
                """,
                [manager_id, month, TOP],
            ).fetchall()
        ]
        return [account.load(con, i, month) for i in ids]


def every_text(document) -> list[str]:
    """Every paragraph, table cell, header and footer of a document (fields' codes included)."""
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            texts += [p.text for p in part.paragraphs]
            texts += [cell.text for table in part.tables for row in table.rows for cell in row.cells]
    return texts


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_customer_proposal_holds_nothing_internal(top_views, lang):
    for v in top_views:
        document = open_docx(documents.docx_bytes(v, "proposal", lang))
        text = "\n".join(every_text(document))
        found = [term for term in INTERNAL[lang] if term.lower() in text.lower()]
        assert not found, (v.account_id, found)
        # none of the account's internal figures either
        assert percent(v.score["churn_probability"]) not in text
        assert yuan(v.score["revenue_at_risk_yuan"]) not in text
        for reason in v.reasons["reason"]:
            assert reason not in text
        for name in v.contacts["contact_name"]:  # the key people are not named to their own organisation
            assert name not in text
        for note in v.interviews["notes"]:  # the manager's notes stay internal
            assert note not in text
        # …but what is theirs and ours to offer is there
        assert v.name in text
        assert v.profile["manager_name"] in text
        assert v.profile["manager_phone"] and v.profile["manager_phone"] in text
        assert v.profile["manager_email"] and v.profile["manager_email"] in text
        for pid in v.recommendations["product_id"]:
            assert i18n.label("product", pid, lang) in text
            assert i18n.label("product_value", pid, lang) in text


def test_the_proposal_is_a4_with_header_page_numbers_and_the_manager_as_author(top_views, monkeypatch):
    monkeypatch.delenv("NEEDSMINE_DEPARTMENT", raising=False)
    v = top_views[0]
    document = open_docx(documents.docx_bytes(v, "proposal", "zh"))
    section = document.sections[0]
    assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)  # A4
    assert section.header.paragraphs[0].text == "中国移动 上海分公司 政企客户部"
    footer = section.footer.paragraphs[0]
    codes = [node.text.strip() for node in footer._p.iter() if node.tag.endswith("}instrText")]
    assert codes == ["PAGE", "NUMPAGES"] and footer.text.startswith("第 ")
    assert document.core_properties.author == v.profile["manager_name"] != "python-docx"
    assert document.core_properties.title == f"集团客户服务方案 · {v.name}"
    english = open_docx(documents.docx_bytes(v, "proposal", "en"))
    assert english.sections[0].footer.paragraphs[0].text.startswith("Page ")
    # the department is a setting
    monkeypatch.setenv("NEEDSMINE_DEPARTMENT", "中国移动 XX分公司 政企客户部")
    assert (
        open_docx(documents.docx_bytes(v, "brief", "zh"))
        .sections[0]
        .header.paragraphs[0]
        .text.startswith("中国移动 XX分公司 政企客户部")
    )


def test_the_english_proposal_names_products_in_english(top_views):
    v = top_views[0]
    text = "\n".join(every_text(open_docx(documents.docx_bytes(v, "proposal", "en"))))
    for name in v.recommendations["product_name"]:  # the catalogue's Chinese names
        assert name not in text
    rest = text.replace(v.name, "").replace(str(v.profile["manager_name"]), "")  # names stay as they are
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in rest), "Chinese left in the English document"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_carries_the_account_views_figures(top_views, lang):
    for v in top_views:
        document = open_docx(documents.docx_bytes(v, "brief", lang))
        text = "\n".join(every_text(document))
        assert percent(v.score["churn_probability"]) in text
        assert yuan(v.score["revenue_at_risk_yuan"]) in text
        assert yuan(v.score["opportunity_value_yuan"]) in text
        for card in v.opportunities().itertuples():
            assert yuan(card.expected_value_yuan) in text
        for carrier in v.contacts["carrier"]:
            assert i18n.label("carrier", carrier, lang) in text
        for competitor in v.competitor_reports["competitor"]:
            assert i18n.label("competitor", competitor, lang) in text
        if lang == "zh":
            for reason in v.reasons["reason"]:
                assert reason in text
        assert ("内部" if lang == "zh" else "Internal") in document.sections[0].header.paragraphs[0].text
    top = top_views[0]  # the manager's first account at risk is worded as at risk
    brief = "\n".join(every_text(open_docx(documents.docx_bytes(top, "brief", "zh"))))
    if top.score["churn_probability"] >= 0.1:
        assert "属高风险客户" in brief and "离网风险低" not in brief


def test_chart_ticks_fall_on_nice_steps_with_one_number_of_decimals():
    for top in (0.9, 1.0, 1.1, 2.6, 13.0, 480.0):
        fig = Figure()
        ax = fig.add_subplot()
        ax.set_ylim(0, top)
        charts.nice_axis(ax.yaxis)
        ticks = [t for t in ax.yaxis.get_majorticklocs() if 0 <= t <= top]
        labels = [ax.yaxis.get_major_formatter()(t, i) for i, t in enumerate(ticks)]
        step = ticks[1] - ticks[0]
        assert any(abs(step / 10 ** round(math.log10(step) - 0.5) - nice) < 1e-9 for nice in charts.NICE_STEPS)
        assert [float(x.replace(",", "")) for x in labels] == pytest.approx(ticks)  # 0.25 reads 0.25, not 0.2
        assert len({len(x.partition(".")[2]) for x in labels}) == 1, labels  # one number of decimals


def test_a_peer_group_of_under_20_falls_back_and_the_caption_says_so(top_views):
    for v in top_views:
        first = v.peers.iloc[0]
        assert int(first["peer_account_count"]) >= 20
        caption = documents.brief.account_tables.peers_caption(v, "zh")
        assert "规模档" not in caption
        if first["peer_level"] == "industry":
            assert "同行业（不分规模）" in caption


def test_the_command_writes_either_document(scored_path, top_views, tmp_path, capsys):
    v = top_views[0]
    month = f"{pd.Timestamp(v.month):%Y-%m}"
    for kind, marker in [("proposal", "集团客户服务方案"), ("brief", "客户经营简报")]:
        out = tmp_path / f"{kind}.docx"
        args = ["proposal", "--db", str(scored_path), "--account", v.account_id, "--out", str(out)]
        assert cli.main([*args, "--as-of", month, "--kind", kind, "--json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed["kind"] == kind and printed["out"] == str(out)
        assert marker in "\n".join(every_text(Document(str(out))))
    out = tmp_path / "default.docx"
    assert cli.main(["proposal", "--db", str(scored_path), "--account", v.account_id, "--out", str(out)]) == 0
    assert "集团客户服务方案" in "\n".join(every_text(Document(str(out))))  # the default is the proposal


def test_an_unknown_account_bad_month_or_kind_exits_2_with_a_message(scored_path, tmp_path, capsys):
    out = tmp_path / "none.docx"
    assert cli.main(["proposal", "--db", str(scored_path), "--account", "3199999999", "--out", str(out)]) == 2
    assert "3199999999" in capsys.readouterr().err
    assert not out.exists()
    assert (
        cli.main(["proposal", "--db", str(scored_path), "--account", "x", "--out", str(out), "--as-of", "2026-13"]) == 2
    )
    assert "--as-of" in capsys.readouterr().err
    missing = tmp_path / "absent.duckdb"
    assert cli.main(["proposal", "--db", str(missing), "--account", "x", "--out", str(out)]) == 2
    assert not missing.exists()
    with pytest.raises(ValueError, match="kind"):
        documents.build(None, "memo")  # type: ignore[arg-type]


def test_without_a_cjk_font_the_charts_fall_back_to_english(top_views, monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    chart = charts.trend_chart(top_views[0], "zh")  # warnings are errors: no missing glyphs
    assert chart.title == "Revenue by area, last 24 months"
    assert Cm(15.5) == docx_parts.CHART_WIDTH
