"""The business scope on the account view and in the internal brief (issue 12 item 5): the scope
as registered, and what it suggests in words with the phrase that led there."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from test_account import open_account

from analytics.common import i18n
from analytics.views.account import documents
from analytics.views.account import view as account
from analytics.warehouse import db


@pytest.fixture(scope="module")
def scoped(scored_path: Path) -> account.AccountView:
    """An account whose scope suggests something (the demo ties scopes to needs)."""
    with db.connect(scored_path) as con:
        month = account.latest_scored_month(con)
        ids = [
            r[0]
            for r in con.execute(
                "select account_id from scores inner join accounts using (account_id) "
                "where as_of_month = ? and business_scope is not null order by account_id limit 60",
                [month],
            ).fetchall()
        ]
        for account_id in ids:
            v = account.load(con, account_id, month)
            if not v.scope_findings.empty:
                return v
    pytest.fail("no demo account's scope suggests anything")


def test_the_findings_name_the_scope_item_and_the_product_in_either_language(scoped):
    zh, en = account.scope_lines(scoped, "zh"), account.scope_lines(scoped, "en")
    assert len(zh) == len(en) == len(scoped.scope_findings)
    first = scoped.scope_findings.iloc[0]
    assert first.phrase in scoped.profile["business_scope"]  # an item of the account's own scope
    assert f"'{first.phrase}'" in zh[0] and i18n.label("product", first.product_id, "zh") in zh[0]
    assert f"{first.peer_share:.0%}" in zh[0]
    assert i18n.label("product", first.product_id, "en") in en[0] and "Business scope" in en[0]


def test_the_account_view_shows_the_scope_and_what_it_suggests(scored_path, monkeypatch, scoped):
    at = open_account(scored_path, monkeypatch, scoped.account_id)
    profile = next(d.value for d in at.dataframe if "经营范围" in d.value.iloc[:, 0].tolist())
    shown = profile.set_index(profile.columns[0]).iloc[:, 0]["经营范围"]
    assert shown == scoped.profile["business_scope"]
    texts = [t.value for t in at.text]
    assert account.scope_lines(scoped, "zh")[0] in texts  # as plain text, not Markdown


def test_the_brief_carries_the_findings_and_the_proposal_does_not(scoped):
    brief = Document(io.BytesIO(documents.docx_bytes(scoped, "brief", "zh")))
    paragraphs = [p.text for p in brief.paragraphs]
    assert "经营范围线索" in paragraphs
    assert all(line in paragraphs for line in account.scope_lines(scoped, "zh"))
    proposal = Document(io.BytesIO(documents.docx_bytes(scoped, "proposal", "zh")))
    assert not any("经营范围含" in p.text for p in proposal.paragraphs)
