"""我的商机 (pages/opportunities.py, analytics/views/opportunities.py) against direct SQL on the demo warehouse."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.common import rules
from analytics.common.filters import Filters
from analytics.views import opportunities
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/opportunities.py"


def frame(path: Path, query: str, params: list | None = None) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(query, params or []).df()


@pytest.fixture()
def saved(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """The files the page's download buttons offer, by file name, each written when called (clicked)."""
    return offered_downloads(monkeypatch)


def open_page(path: Path, monkeypatch: pytest.MonkeyPatch, **state: object) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    at.switch_page(PAGE)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def month(scored_path: Path) -> dt.date:
    return pd.Timestamp(frame(scored_path, "select max(as_of_month) as m from scores")["m"].iloc[0]).date()


def scored_accounts(path: Path, manager_id: str, month: dt.date) -> pd.DataFrame:
    """The manager's scored accounts with their priority value, most urgent first."""
    return frame(
        path,
        """
        select account_id, coalesce(revenue_at_risk_yuan, 0) + coalesce(opportunity_value_yuan, 0) as priority
        from scores inner join accounts using (account_id)
        where manager_id = ? and as_of_month = ?
        order by priority desc, account_id
    """,
        [manager_id, month],
    )


def workbook(data: bytes) -> pd.DataFrame:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_the_page_opens_on_the_first_manager_in_scope(scored_path, monkeypatch, month):
    at = open_page(scored_path, monkeypatch)
    first = frame(scored_path, "select min(manager_id) as m from accounts")["m"].iloc[0]
    assert at.selectbox(key="opportunities_manager").value == first
    listed = at.dataframe[0].value
    expected = scored_accounts(scored_path, first, month)
    assert list(listed["account_id"]) == list(expected["account_id"])  # all of them, in priority order
    assert list(listed["priority_rank"]) == list(range(1, len(expected) + 1))
    # in service at the month's end (沉默 accounts too, which have no score to list), as 组合总览 counts them
    in_service = frame(
        scored_path,
        "select count(*) as n from accounts where manager_id = ? and opened_on <= last_day(?::date)"
        " and (status in ('在网', '沉默') or (status in ('离网', '销户') and closed_on > last_day(?::date)))",
        [first, month, month],
    )["n"].iloc[0]
    assert {m.label: m.value for m in at.metric}["在网集团"] == f"{in_service:,}"
    assert in_service >= len(expected)


def test_the_sidebar_manager_filter_picks_the_manager(scored_path, monkeypatch, month):
    managers = list(frame(scored_path, "select distinct manager_id from accounts order by 1")["manager_id"])
    at = open_page(scored_path, monkeypatch, f_managers=[managers[3], managers[1]])
    box = at.selectbox(key="opportunities_manager")
    assert box.value == managers[3]  # the first one picked, not the first by id
    assert box.options == [
        f"{m} {name}"
        for m, name in frame(
            scored_path,
            """
        select manager_id, manager_name from managers where manager_id in (?, ?) order by 1
    """,
            [managers[1], managers[3]],
        ).itertuples(index=False)
    ]
    box.set_value(managers[1]).run()
    assert not at.exception
    expected = scored_accounts(scored_path, managers[1], month)
    assert set(at.dataframe[0].value["account_id"]) == set(expected["account_id"])


def test_the_excel_export_holds_the_managers_accounts_and_only_theirs(scored_copy, monkeypatch, month, saved):
    manager = frame(scored_copy, "select manager_id from accounts group by 1 order by count(*) desc limit 1")
    manager = manager["manager_id"].iloc[0]
    at = open_page(scored_copy, monkeypatch, f_managers=[manager])
    assert unlabelled_columns(at) == []
    name = f"opportunities_{manager}_{month:%Y-%m}.xlsx"
    assert [n for n in saved if n.endswith(".xlsx")] == [name] and exports(scored_copy) == []
    sheet = workbook(saved[name]())
    assert exports(scored_copy) == [("head", "head", f"opportunities {manager}", name)]
    assert list(sheet.columns[:3]) == ["优先序", "集团编号", "集团名称"]
    expected = scored_accounts(scored_copy, manager, month)
    assert list(sheet["集团编号"]) == list(expected["account_id"])
    owners = frame(
        scored_copy,
        "select distinct manager_id from accounts where list_contains(?, account_id)",
        [list(sheet["集团编号"])],
    )
    assert list(owners["manager_id"]) == [manager]
    assert sheet["优先值（元）"].iloc[0] == pytest.approx(round(expected["priority"].iloc[0]))
    assert set(sheet["重点"]) <= {"挽留", "拓展"}
    assert at.get("download_button")[0].label == "导出 Excel"


def test_english_switch_shows_english_labels_and_headers(scored_copy, monkeypatch, month, saved):
    at = open_page(scored_copy, monkeypatch, lang="en")
    assert at.title[0].value == "My opportunities"
    assert [m.label for m in at.metric] == [
        "Accounts in service",
        "Revenue at risk (10k yuan)",
        "Opportunity value (10k yuan)",
        "Accounts to retain",
    ]
    assert at.selectbox(key="opportunities_manager").label == "Account manager"
    assert any(c.value.startswith("Ranking: priority =") for c in at.caption)
    listed = at.dataframe[0].value
    assert set(listed["focus"]) <= {"Retain", "Grow"}
    reasons = listed["top_reason"][listed["top_reason"] != ""]
    assert sum(not re.search("[\u4e00-\u9fff]", r) for r in reasons) > len(reasons) / 2
    assert set(listed["best_area"]) <= {
        "Basic communications",
        "Mobile office",
        "Production control",
        "Service & marketing",
    }
    (name,) = [n for n in saved if n.endswith(".xlsx")]
    sheet = workbook(saved[name]())  # written after the run, still in English
    assert list(sheet.columns[:3]) == ["Priority", "Account ID", "Account name"]
    assert at.get("download_button")[0].label == "Export to Excel"


def test_filters_narrow_the_list(scored_path, monkeypatch, month):
    manager, value_class = frame(
        scored_path,
        """
        select manager_id, value_class::varchar from scores inner join accounts using (account_id)
        where as_of_month = (select max(as_of_month) from scores)
        group by all order by count(*) desc limit 1
    """,
    ).iloc[0]
    at = open_page(scored_path, monkeypatch, f_managers=[manager], f_classes=[value_class])
    listed = at.dataframe[0].value
    expected = frame(
        scored_path,
        """
        select account_id from scores inner join accounts using (account_id)
        where as_of_month = ? and manager_id = ? and value_class = ?
    """,
        [month, manager, value_class],
    )
    assert set(listed["account_id"]) == set(expected["account_id"])
    assert len(listed) < len(scored_accounts(scored_path, manager, month))


# ---- analytics.views.opportunities ----------------------------------------------------------------


def test_accounts_rank_areas_and_products_as_sql_does(scored_path, month):
    manager = frame(scored_path, "select min(manager_id) as m from accounts")["m"].iloc[0]
    with db.connect(scored_path) as con:
        listed = opportunities.accounts(con.cursor(), Filters(month=month), manager).set_index("account_id")
        scores = con.execute("select * from scores where as_of_month = ?", [month]).df().set_index("account_id")
        products = con.execute(
            """
            select account_id, product_name, expected_value_yuan from score_recommendations
            where as_of_month = ? order by account_id, expected_value_yuan desc, probability desc, product_id
        """,
            [month],
        ).df()
    assert listed["priority_value_yuan"].is_monotonic_decreasing
    for account_id, row in listed.iterrows():
        score = scores.loc[account_id]
        values = {area: score[f"opportunity_value_{area}_yuan"] for area in config.AREAS}
        assert values[row["best_area"]] == max(values.values())
        assert row["best_area_propensity"] == pytest.approx(score[f"propensity_{row['best_area']}"])
        assert row["revenue_at_risk_yuan"] == pytest.approx(score["revenue_at_risk_yuan"])
        retain = score["revenue_at_risk_yuan"] > score["opportunity_value_yuan"]
        at_risk = score["churn_probability"] >= rules.at_risk_probability()
        assert row["top_reason"] == (score["churn_reasons"][0] if retain or at_risk else None)
        assert row["focus"] == ("retain" if score["revenue_at_risk_yuan"] > score["opportunity_value_yuan"] else "grow")
        best = products[products["account_id"] == account_id].head(opportunities.PRODUCT_COUNT)
        if len(best):
            assert row["products"].startswith(f"{best['product_name'].iloc[0]} ¥")
            assert row["products"].count(" · ") == len(best) - 1
            assert row["products_value_yuan"] == pytest.approx(best["expected_value_yuan"].sum())


def test_default_manager_prefers_the_sidebar_choice():
    month = dt.date(2026, 1, 1)
    assert opportunities.default_manager(Filters(month=month), ["M1", "M2"]) == "M1"
    assert opportunities.default_manager(Filters(month=month, managers=("M9", "M2")), ["M1", "M2"]) == "M2"
    assert opportunities.default_manager(Filters(month=month), []) is None


def test_excel_bytes_keeps_numbers_as_numbers():
    data = pd.DataFrame({"account_id": ["31000001"], "churn_probability": [0.25], "revenue_at_risk_yuan": [1234.0]})
    sheet = openpyxl.load_workbook(io.BytesIO(opportunities.excel_bytes(data, {"account_id": "集团编号"}, "表"))).active
    assert [c.value for c in sheet[1]] == ["集团编号", "churn_probability", "revenue_at_risk_yuan"]
    assert sheet["B2"].value == 0.25 and sheet["B2"].number_format == "0.0%"
    assert sheet["C2"].value == 1234 and sheet["C2"].number_format == "#,##0"


TRAITS = (r"^单位\d+人$", r"^入网[\d.]+年$", r"^集团成员\d+人$", r"^行业：", r"^单位性质：", r"集团$")


def test_upsell_rows_say_why_to_buy_the_products_not_what_the_account_is(scored_path, monkeypatch, month):
    at = open_page(scored_path, monkeypatch)
    listed = at.dataframe[0].value
    columns = list(listed.columns)
    # what to sell comes before what may be lost, and beside it why
    assert columns.index("products") < columns.index("sell_reason") < columns.index("churn_probability")
    assert json.loads(at.dataframe[0].proto.columns)["sell_reason"]["label"] == "推荐理由"
    grow = listed[listed["focus"] == "拓展"]
    assert len(grow) > 0
    for _, row in grow.iterrows():
        if float(row["churn_probability"]) < rules.at_risk_probability() * 100:  # drawn in percent points
            assert row["top_reason"] == ""  # a churn reason is no reason to sell
        for part in [p for p in str(row["sell_reason"]).split("；") if p]:
            product, why = part.split("：", 1)
            assert product in row["products"]
            assert not any(re.search(t, why) for t in TRAITS), why
            assert re.fullmatch(
                r"(同行业同规模|同行业|同规模)集团\d+%已使用|全部在网集团中\d+%已使用"
                r"|近6个月走访中客户提出.+需求|客户在走访中点名要该产品|同类集团普遍使用",
                why,
            ), why
    with_products = listed[listed["products"] != ""]
    assert (with_products["sell_reason"] != "").all()


def test_the_peer_share_in_a_reason_is_the_peers_own(scored_path, month):
    manager = frame(scored_path, "select min(manager_id) as m from accounts")["m"].iloc[0]
    with db.connect(scored_path) as con:
        listed = opportunities.accounts(con.cursor(), Filters(month=month), manager)
        rates = con.execute(
            """
            select a.account_id, b.product_name, b.adoption_rate from stg_accounts as a
            inner join mart_peer_benchmarks as b on b.industry = a.industry and b.size_band = a.size_band
            where b.billing_month = (select max(billing_month) from mart_peer_benchmarks where billing_month <= ?)
        """,
            [month],
        ).df()
    rate = {(a, p): r for a, p, r in rates.itertuples(index=False)}
    checked = 0
    for account_id, reason in zip(listed["account_id"], listed["sell_reason"], strict=True):
        for product, share in re.findall(r"([^；：]+)：(?:同行业同规模|同行业|同规模)集团(\d+)%已使用", reason):
            assert int(share) == round(rate[(account_id, product)] * 100)
            checked += 1
    assert checked > 0
