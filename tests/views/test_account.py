"""客户视图 (pages/account.py and analytics/views/account/view.py) on the session's prepared demo warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.access import auth
from analytics.common import i18n
from analytics.ui import tables
from analytics.views.account import view as account
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
WORDED_IN_ENGLISH = {
    "member_count",
    "product_count",
    "employee_count",
    "months_to_agreement_end",
    "complaints_3m",
    "member_left_group_rate_6m",
    "member_change_3m",
    "revenue_yuan",
    "value_class",
    "tenure_months",
}


def open_account(path: Path, monkeypatch: pytest.MonkeyPatch, account_id: str | None = None) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    if account_id:
        at.query_params["account"] = account_id
    at.switch_page("pages/account.py")
    at.run()
    assert not at.exception, at.exception
    return at


def sql(path: Path, query: str, params: list | None = None) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(query, params or []).df()


@pytest.fixture(scope="module")
def known(scored_path: Path) -> dict:
    """A demo account with a high churn score and recommendations in the latest scored month."""
    row = sql(
        scored_path,
        """
        select scores.account_id, scores.as_of_month, scores.churn_probability, scores.revenue_at_risk_yuan,
            scores.revenue_12m_yuan, accounts.account_name, accounts.district,
        from scores
        inner join accounts using (account_id)
        where scores.as_of_month = (select max(as_of_month) from scores)
            and scores.account_id in (select account_id from score_recommendations)
            and scores.account_id in (select account_id from score_reasons)
        order by scores.churn_probability desc
        limit 1
    """,
    ).iloc[0]
    month = row["as_of_month"].date()
    revenue = sql(
        scored_path,
        "select sum(revenue_yuan)::double as r from billing_monthly where account_id = ? and billing_month = ?",
        [row["account_id"], month],
    ).iloc[0]["r"]
    products = sql(
        scored_path,
        "select product_name from score_recommendations where account_id = ? and as_of_month = ?",
        [row["account_id"], month],
    )["product_name"]
    return {**row.to_dict(), "month": month, "revenue": float(revenue), "products": set(products)}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def picker(at: AppTest):
    return next(s for s in at.selectbox if s.label in ("集团客户", "Account"))


def test_the_account_shows_its_revenue_churn_risk_and_products_as_in_the_warehouse(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    assert picker(at).value == known["account_id"]
    shown = metrics(at)
    assert shown[f"{known['month']:%Y-%m} 收入（元）"] == f"{known['revenue']:,.0f}"
    assert shown["离网概率"] == f"{known['churn_probability']:.1%}"
    assert shown["风险收入（元）"] == f"{known['revenue_at_risk_yuan']:,.0f}"
    assert shown["近12个月收入（元）"] == f"{known['revenue_12m_yuan']:,.0f}"
    assert at.subheader[0].value == known["account_name"]
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["下载服务方案（给客户）", "下载客户经营简报（内部）"]
    recommended = {name for frame in at.dataframe if "概率" in frame.value.columns for name in frame.value["产品"]}
    assert recommended == known["products"]
    reasons = sql(
        scored_path,
        "select reason from score_reasons where account_id = ? and as_of_month = ? order by rank",
        [known["account_id"], known["month"]],
    )["reason"].tolist()
    shown_reasons = next(f.value for f in at.dataframe if "原因" in f.value.columns)["原因"].tolist()
    assert shown_reasons == reasons


def kind_of(file_name: str) -> str:
    return "brief" if file_name.startswith("客户经营简报") else "proposal"


def test_every_column_is_drawn_and_the_documents_are_written_and_audited_only_when_clicked(
    scored_copy, monkeypatch, known
):
    offered = offered_downloads(monkeypatch)
    at = open_account(scored_copy, monkeypatch, known["account_id"])
    # profile, key people, products, peers, reasons, recommendations (one table, not one per card)
    assert len(at.dataframe) >= 6 and unlabelled_columns(at) == []  # names, roles, products: all drawn
    # two documents: the customer's proposal and the internal brief (the first run drew the default page too)
    names = {kind: n for n in offered if n.endswith(".docx") for kind in ("proposal", "brief") if kind_of(n) == kind}
    assert set(names) == {"proposal", "brief"}
    assert exports(scored_copy) == []
    for kind in ("proposal", "brief"):
        assert offered[names[kind]]().startswith(b"PK")  # a Word file is a zip
    assert sorted(exports(scored_copy)) == sorted(
        ("head", "head", f"account {known['account_id']} {kind}", name) for kind, name in names.items()
    )


def test_the_consumption_table_adds_up_to_the_bill(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    products = next(f.value for f in at.dataframe if "同比" in f.value.columns)
    billed = sql(
        scored_path,
        "select product_id, revenue_yuan::double as r from billing_monthly where account_id = ? and billing_month = ?",
        [known["account_id"], known["month"]],
    )
    shown = products["收入（元）"].str.replace(",", "").astype(float)
    assert shown.sum() == pytest.approx(billed["r"].sum(), abs=0.01)
    # every product billed this month, and besides only products billed a month or a year before
    # (drawn at 0 with their change)
    assert (shown > 0).sum() == (billed["r"] > 0).sum() and len(products) >= len(billed)


def test_without_a_link_the_picker_opens_on_the_largest_revenue_at_risk(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch)
    top = sql(
        scored_path,
        "select account_id from scores where as_of_month = ? order by revenue_at_risk_yuan desc, account_id limit 1",
        [known["month"]],
    ).iloc[0, 0]
    assert picker(at).value == top
    assert len(picker(at).options) == account.SEARCH_LIMIT
    assert at.query_params["account"] == top  # the choice goes into the URL


def test_the_english_switch_turns_the_page_english(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Account view"
    shown = metrics(at)
    assert shown["Churn probability"] == f"{known['churn_probability']:.1%}"
    assert f"Revenue {known['month']:%Y-%m} (yuan)" in shown
    reasons = next(f.value for f in at.dataframe if "Reason" in f.value.columns)["Reason"].tolist()
    features = sql(
        scored_path,
        "select feature from score_reasons where account_id = ? and as_of_month = ? order by rank",
        [known["account_id"], known["month"]],
    )["feature"]
    assert len(reasons) == len(features) > 0
    for feature, text in zip(features, reasons, strict=True):
        if feature in WORDED_IN_ENGLISH:  # worded from the account's own value, no Chinese left
            assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_search_finds_an_account_by_a_fragment_of_its_name(scored_path, monkeypatch):
    target = sql(scored_path, "select account_id, account_name from accounts order by account_id limit 1 offset 500")
    target = target.iloc[0]
    fragment = target["account_name"][2:6]  # e.g. 上海静安华远… → 静安华远
    at = open_account(scored_path, monkeypatch)
    at.text_input[0].set_value(fragment).run()
    assert not at.exception
    options = picker(at).options
    assert any(option.startswith(target["account_id"]) for option in options)
    assert all(fragment in option for option in options)
    with db.connect(scored_path) as con:
        matching = con.execute("select count(*) from accounts where contains(account_name, ?)", [fragment])
        matching = matching.fetchone()[0]
    assert len(options) == min(matching, account.SEARCH_LIMIT)
    assert picker(at).value == at.query_params["account"]  # the best match is shown
    by_id = open_account(scored_path, monkeypatch)
    by_id.text_input[0].set_value(target["account_id"]).run()
    assert picker(by_id).value == target["account_id"]


def test_the_query_parameter_opens_an_account_and_an_unknown_one_is_named(scored_path, monkeypatch, known):
    other = sql(
        scored_path,
        "select account_id, account_name from accounts where account_id <> ? order by account_id desc limit 1",
        [known["account_id"]],
    ).iloc[0]
    at = open_account(scored_path, monkeypatch, other["account_id"])
    assert picker(at).value == other["account_id"]
    assert at.subheader[0].value == other["account_name"]
    missing = open_account(scored_path, monkeypatch, "0000000000")
    assert any("0000000000" in w.value for w in missing.warning)


def test_the_sidebar_filters_narrow_the_picker(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch)
    at.session_state["f_districts"] = [known["district"]]
    at.run()
    assert not at.exception
    ids = [option.split()[0] for option in picker(at).options]
    districts = sql(scored_path, "select distinct district from accounts where list_contains(?, account_id)", [ids])
    assert districts["district"].tolist() == [known["district"]]


def test_notes_are_shown_whole_as_text_never_as_markdown(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    notes = sql(
        scored_path,
        """
        select notes from interactions
        where account_id = ? and occurred_at >= ?::date - interval 11 month and notes is not null
        order by occurred_at desc
    """,
        [known["account_id"], known["month"]],
    )["notes"]
    if notes.empty:
        pytest.skip("the account has no interview")
    shown = [element.value for element in at.text]  # st.text: plain text, wrapped, never Markdown
    assert all(note in shown for note in notes)  # every note whole, not cut to a cell
    assert not any(note in m.value for note in notes for m in at.markdown)
    assert not any(note in m.value for note in notes for m in at.caption)
    assert not any("纪要" in f.value.columns for f in at.dataframe)  # no note left in a narrow cell


def test_the_reasons_say_direction_and_strength_in_words_never_log_odds(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    table = next(f.value for f in at.dataframe if "原因" in f.value.columns)
    assert list(table.columns) == ["序号", "原因", "方向", "影响程度", "影响占比"]
    stored = sql(
        scored_path,
        "select contribution from score_reasons where account_id = ? and as_of_month = ? order by rank",
        [known["account_id"], known["month"]],
    )["contribution"]
    shares = stored.abs() / stored.abs().sum()
    assert table["影响占比"].tolist() == [f"{s:.0%}" for s in shares]
    assert table["方向"].tolist() == ["提高风险" if c > 0 else "降低风险" for c in stored]
    assert table["影响程度"].tolist() == ["强" if s >= 0.3 else "中" if s >= 0.15 else "弱" for s in shares]
    # no column of the model's raw numbers (0.532, 1.016): nothing a manager cannot read
    for column in table.columns:
        assert not table[column].astype(str).str.fullmatch(r"-?\d+\.\d{2,}").any(), column
    assert not any("对数几率" in c.value or "log-odds" in c.value for c in at.caption)
    at.session_state["lang"] = "en"
    at.run()
    english = next(f.value for f in at.dataframe if "Reason" in f.value.columns)
    assert list(english.columns) == ["#", "Reason", "Direction", "Strength", "Share of weight"]
    assert set(english["Strength"]) <= {"Strong", "Medium", "Weak"}


def test_recommended_products_are_drawn_full_width_with_room_for_their_figures(scored_path, monkeypatch, known):
    at = open_account(scored_path, monkeypatch, known["account_id"])
    opportunities_tab = at.tabs[4]
    for card in opportunities_tab.columns:  # the four cards: no table squeezed into a quarter width
        assert len(card.dataframe) == 0
    (table,) = [f for f in opportunities_tab.dataframe if "概率" in f.value.columns]
    shown = table.value
    assert set(shown["产品"]) == known["products"]
    order = [i18n.label("area", area) for area in config.AREAS]  # area by area, in the cards' order
    assert shown["信息化领域"].map(order.index).is_monotonic_increasing
    # why in words: named, a voiced need, or how many peers hold it — never a bare kind of reason
    assert shown["推荐依据"].str.contains("走访|已使用").all()
    drawn = json.loads(table.proto.columns)
    for column in shown.columns:  # a column's widest value fits its width (or the browser sizes it)
        width = drawn[column].get("width")
        widest = max(tables.shown_width(v) for v in [column, *shown[column]])
        if isinstance(width, int):
            assert width >= min(widest, tables.AUTO_MOST)


def test_a_peer_group_that_fell_back_is_said_in_words(scored_path, monkeypatch):
    def account_at(level: str) -> str | None:
        rows = sql(
            scored_path,
            """
            select scores.account_id from scores
            inner join stg_accounts as a using (account_id)
            inner join mart_peer_benchmarks as b on b.industry = a.industry and b.size_band = a.size_band
            where scores.as_of_month = (select max(as_of_month) from scores) and b.peer_level = ?
                and b.billing_month = (select max(billing_month) from mart_peer_benchmarks)
            order by scores.account_id limit 1
        """,
            [level],
        )
        return None if rows.empty else rows.iloc[0, 0]

    fell_back, own = account_at("industry"), account_at("industry_size")
    assert fell_back and own, "the demo has peer groups of both kinds"
    at = open_account(scored_path, monkeypatch, fell_back)
    said = "同行业同规模集团不足20家，已按同行业（不分规模）比较。"
    assert sum(said in i.value for i in at.info) == 2  # on the peers tab and beside the recommendations
    at = open_account(scored_path, monkeypatch, own)
    assert not any("不足20家" in i.value for i in at.info)


def test_a_link_to_an_account_outside_a_managers_reach_opens_nothing(scored_path, monkeypatch):
    """The demo manager follows a link (?account=ID) to one of their accounts and to another
    manager's: the id from the URL is checked against their reach on the server."""
    with db.connect(scored_path) as con:
        user = auth.current(con, auth.User("manager", "", "manager"))
    assert user is not None and user.manager_id
    mine, theirs = (
        sql(
            scored_path,
            f"select account_id, account_name from accounts where manager_id {op} ? order by account_id limit 1",
            [user.manager_id],
        ).iloc[0]
        for op in ("=", "<>")
    )
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    for target, opens in ((mine, True), (theirs, False)):
        at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
        at.run()
        at.query_params["account"] = target["account_id"]
        at.switch_page("pages/account.py")
        at.run()
        assert not at.exception
        if opens:
            assert picker(at).value == target["account_id"]
            assert at.subheader[0].value == target["account_name"]
        else:
            assert any(target["account_id"] in w.value for w in at.warning)
            assert not any(option.startswith(target["account_id"]) for option in picker(at).options)
            assert all(s.value != target["account_name"] for s in at.subheader)
            assert picker(at).value in set(
                sql(scored_path, "select account_id from accounts where manager_id = ?", [user.manager_id])[
                    "account_id"
                ]
            )


def test_the_view_reads_one_account_consistently(scored_path, known):
    with db.connect(scored_path) as con:
        view = account.load(con, known["account_id"], known["month"])
        with pytest.raises(account.AccountNotFound):
            account.load(con, "no-such-account", known["month"])
        out_of_scope = account.profile(con, known["account_id"], scope_managers=("M99999",))
    assert out_of_scope is None
    assert view.revenue_yuan == pytest.approx(known["revenue"], abs=0.01)
    assert view.revenue_by_area()["revenue_yuan"].sum() == pytest.approx(known["revenue"], abs=0.01)
    trend = view.trend()
    assert trend["billing_month"].nunique() <= account.TREND_MONTHS
    assert trend["billing_month"].max() == pd.Timestamp(known["month"])
    latest = trend[trend["billing_month"] == pd.Timestamp(known["month"])]["revenue_yuan"].sum()
    assert latest == pytest.approx(known["revenue"], abs=0.01)
    assert view.score["churn_probability"] == pytest.approx(known["churn_probability"])
    assert set(view.recommendations["product_name"]) == known["products"]
    held = set(view.structure.loc[view.structure["quantity"] > 0, "product_id"])
    recommended = view.peers[view.peers["recommended_value_yuan"].notna()]
    assert not set(recommended["product_id"]) & held
    # The peers table's values are the recommendations' own (the cards add them up).
    values = dict(zip(view.recommendations["product_id"], view.recommendations["expected_value_yuan"], strict=True))
    pairs = zip(recommended["product_id"], recommended["recommended_value_yuan"], strict=True)
    assert all(values[p] == pytest.approx(x) for p, x in pairs)
    assert (view.opportunities()["area"].tolist()) == [
        "basic_comm",
        "mobile_office",
        "production_control",
        "service_marketing",
    ]


def test_english_reasons_carry_the_accounts_own_numbers():
    assert account.reason_text("revenue_trend_3m", -0.32, "近3个月收入较前3个月下降32%", "en") == (
        "Revenue of the last 3 months vs the 3 before down 32%"
    )
    assert account.reason_text("months_to_agreement_end", None, "无在约协议", "en") == "No agreement in force"
    assert account.reason_text("has_decision_maker_on_competitor", True, "决策人使用异网号码", "en").startswith(
        "The decision-maker uses a competitor"
    )
    assert account.reason_text("industry", "金融业", "行业：金融业", "en") == "Industry: Finance"
    unworded = "近3个月走访中1次提到竞争对手"  # the value is not known to the view: the stored words
    assert account.reason_text("note_competitor_3m", None, unworded, "en") == unworded
    assert account.reason_text("member_count", 9, "集团成员9人", "zh") == "集团成员9人"
