"""服务方案: the Word proposal (analytics/views/account/proposal.py) and `needsmine proposal`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from analytics import cli
from analytics.common import formats
from analytics.views.account import charts as proposal_charts
from analytics.views.account import proposal
from analytics.views.account import view as account
from analytics.warehouse import db


@pytest.fixture(scope="module")
def known(scored_path: Path) -> dict:
    """A demo account with recommendations and churn reasons in the latest scored month."""
    with db.connect(scored_path) as con:
        account_id, month, name, manager = con.execute("""
            select scores.account_id, scores.as_of_month, accounts.account_name, accounts.manager_id,
            from scores
            inner join accounts using (account_id)
            where scores.as_of_month = (select max(as_of_month) from scores)
                and scores.account_id in (select account_id from score_recommendations)
                and scores.account_id in (select account_id from score_reasons)
            order by scores.revenue_at_risk_yuan desc
            limit 1
        """).fetchone()
        revenue = con.execute(
            "select sum(revenue_yuan)::double from billing_monthly where account_id = ? and billing_month = ?",
            [account_id, month],
        ).fetchone()[0]
        products = {
            r[0]
            for r in con.execute(
                "select product_name from score_recommendations where account_id = ? and as_of_month = ?",
                [account_id, month],
            ).fetchall()
        }
        reasons = [
            r[0]
            for r in con.execute(
                "select reason from score_reasons where account_id = ? and as_of_month = ? order by rank",
                [account_id, month],
            ).fetchall()
        ]
        view = account.load(con, account_id, month)
    return {
        "id": account_id,
        "month": month,
        "name": name,
        "manager": manager,
        "revenue": revenue,
        "products": products,
        "reasons": reasons,
        "view": view,
    }


def text_of(document) -> str:
    """Every paragraph and table cell of a document, one per line."""
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def test_the_proposal_holds_the_accounts_figures_products_reasons_and_charts(known):
    data = proposal.docx_bytes(known["view"], "zh")
    document = Document(io.BytesIO(data))
    text = text_of(document)
    assert document.paragraphs[[p.style.name for p in document.paragraphs].index("Title")].text == "集团客户服务方案"
    assert known["name"] in text and known["manager"] in text
    assert f"出账收入 {known['revenue']:,.0f} 元" in text  # the revenue as the account view shows it
    assert formats.yuan(known["revenue"]) == f"{known['revenue']:,.0f}"
    for product in known["products"]:
        assert product in text
    for reason in known["reasons"]:  # retention points are the model's reasons
        assert reason in text
    assert len(document.inline_shapes) >= 2  # area and trend charts (and peers when there are peers)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:6] == [
        "一、客户概况",
        "二、消费结构",
        "三、同行对比",
        "四、需求洞察",
        "五、推荐方案",
        "六、离网风险与维系要点",
    ]


def test_the_proposal_in_english(known):
    document = Document(io.BytesIO(proposal.docx_bytes(known["view"], "en")))
    text = text_of(document)
    assert "Service proposal" in text and "1. Profile" in text and "6. Churn risk and retention points" in text
    assert f"Revenue billed {known['month']:%Y-%m}: {known['revenue']:,.0f} yuan" in text
    assert "一、客户概况" not in text
    assert len(document.inline_shapes) >= 2


def test_the_charts_are_pngs_with_chinese_labels_when_a_cjk_font_is_there(known):
    assert proposal_charts.cjk_font() is not None  # mplfonts ships Noto Sans CJK SC
    chart = proposal_charts.area_chart(known["view"], "zh")
    assert chart.png.startswith(b"\x89PNG") and chart.title.endswith("各领域收入")


def test_without_a_cjk_font_the_charts_fall_back_to_english(known, monkeypatch):
    monkeypatch.setattr(proposal_charts, "cjk_font", lambda: None)
    chart = proposal_charts.trend_chart(known["view"], "zh")  # warnings are errors: no missing glyphs
    assert chart.title == "Revenue by area, last 24 months"
    peers = proposal_charts.peers_chart(known["view"], "zh")
    assert peers is None or peers.png.startswith(b"\x89PNG")


def test_the_command_writes_the_proposal(scored_path, known, tmp_path, capsys):
    out = tmp_path / "proposal.docx"
    month = f"{pd.Timestamp(known['month']):%Y-%m}"
    code = cli.main(
        ["proposal", "--db", str(scored_path), "--account", known["id"], "--out", str(out), "--as-of", month, "--json"]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["account_id"] == known["id"] and printed["as_of"] == month and printed["out"] == str(out)
    document = Document(str(out))
    assert known["name"] in text_of(document)
    assert len(document.inline_shapes) >= 2
    english = tmp_path / "proposal_en.docx"
    assert (
        cli.main(
            ["proposal", "--db", str(scored_path), "--account", known["id"], "--out", str(english), "--lang", "en"]
        )
        == 0
    )
    assert "Service proposal" in text_of(Document(str(english)))


def test_an_unknown_account_or_bad_month_exits_2_with_a_message(scored_path, tmp_path, capsys):
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
