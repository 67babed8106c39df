"""组合总览 (pages/portfolio.py, analytics/views/portfolio.py) against direct SQL on the demo warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics.access import pages
from analytics.common import rules
from analytics.common.filters import Filters
from analytics.ui import tables
from analytics.views import portfolio
from analytics.views.account import view as account
from analytics.views.daily_work import records
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/portfolio.py"


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


def one(path: Path, query: str, params: list | None = None) -> tuple:
    with db.connect(path) as con:
        return con.execute(query, params or []).fetchone()


def frame(path: Path, query: str, params: list | None = None) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(query, params or []).df()


@pytest.fixture(scope="module")
def months(scored_path: Path) -> list[dt.date]:
    """The scored months, newest first (the page opens on the newest)."""
    scored = frame(scored_path, "select distinct as_of_month from scores order by 1 desc")["as_of_month"]
    return [pd.Timestamp(m).date() for m in scored]


# Accounts in service at a month's end, from the raw accounts table: opened by then, 在网 or 沉默,
# or closed (离网/销户) only after it.
IN_SERVICE = """
    opened_on <= last_day(?::date)
    and (status in ('在网', '沉默') or (status in ('离网', '销户') and closed_on > last_day(?::date)))
"""


def truth(path: Path, month: dt.date, district: str | None = None) -> dict[str, float]:
    """The headline figures straight from the raw tables (billing, not the feature mart)."""
    where = "and accounts.district = ?" if district else ""
    extra = [district] if district else []
    in_service = one(path, f"select count(*) from accounts where {IN_SERVICE} {where}", [month, month, *extra])[0]
    scored = one(
        path,
        f"""
        select count(*), sum(revenue_at_risk_yuan), sum(opportunity_value_yuan),
            count(*) filter (where churn_probability >= ?)
        from scores inner join accounts using (account_id)
        where as_of_month = ? {where}
    """,
        [rules.at_risk_probability(), month, *extra],
    )
    revenue = one(
        path,
        f"""
        select sum(revenue_yuan)::double from billing_monthly inner join accounts using (account_id)
        where billing_month = ? {where}
    """,
        [month, *extra],
    )[0]
    return {
        "accounts": in_service,
        "scored": scored[0],
        "revenue": revenue,
        "at_risk": scored[1],
        "opportunity": scored[2],
        "at_risk_accounts": scored[3],
    }


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_headline_figures_equal_the_warehouse(scored_path, monkeypatch, months):
    at = open_page(scored_path, monkeypatch)
    expected = truth(scored_path, months[0])
    shown = shown_metrics(at)
    assert shown["在网集团"] == f"{expected['accounts']:,}"
    assert shown["本月收入（万元）"] == f"{expected['revenue'] / 1e4:,.1f}"
    assert shown["风险收入（万元）"] == f"{expected['at_risk'] / 1e4:,.1f}"
    assert shown["商机价值（万元）"] == f"{expected['opportunity'] / 1e4:,.1f}"
    assert shown["风险集团"] == f"{expected['at_risk_accounts']:,}"
    # month on month: the previous month is scored, so the change is shown and is right
    before = truth(scored_path, months[1])
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["在网集团"].startswith(f"{expected['accounts'] - before['accounts']:+,}")
    assert deltas["风险收入（万元）"].startswith(f"{expected['at_risk'] / before['at_risk'] - 1:+.1%}")


def test_first_row_of_the_at_risk_list_saves_the_most_revenue(scored_path, monkeypatch, months):
    """The at-risk list ranks by the best kind's expected revenue saved (uplift_scores), accounts
    without an estimate after, by revenue at risk; its rows are the accounts at risk only."""
    at = open_page(scored_path, monkeypatch)
    listed = at.dataframe[0].value
    top = frame(
        scored_path,
        """
        select s.account_id, max(u.expected_revenue_saved) as saved
        from scores as s left join uplift_scores as u on u.account_id = s.account_id and u.score_month = s.as_of_month
        where s.as_of_month = ? and s.churn_probability >= ?
        group by s.account_id, s.revenue_at_risk_yuan
        order by saved desc nulls last, s.revenue_at_risk_yuan desc, s.account_id limit 50
    """,
        [months[0], rules.at_risk_probability()],
    )
    # only accounts at risk, however much revenue a safer account puts at risk
    assert (listed["churn_probability"] >= rules.at_risk_probability()).all()
    assert list(listed["account_id"]) == list(top["account_id"])
    assert listed["rank"].tolist() == list(range(1, len(listed) + 1))
    assert set(listed["ranked_by"]) <= {"挽留效果估计", "风险×收入（无效果估计）"}
    reasons = one(
        scored_path,
        "select churn_reasons from scores where account_id = ? and as_of_month = ?",
        [top["account_id"].iloc[0], months[0]],
    )[0]
    assert listed["churn_reasons"].iloc[0] == "；".join(reasons)


def test_a_district_filter_narrows_every_figure(scored_path, monkeypatch, months):
    district = one(scored_path, "select district from accounts group by 1 order by count(*) desc limit 1")[0]
    at = open_page(scored_path, monkeypatch, f_districts=[district])
    expected = truth(scored_path, months[0], district)
    everything = truth(scored_path, months[0])
    assert expected["accounts"] < everything["accounts"]
    shown = shown_metrics(at)
    assert shown["在网集团"] == f"{expected['accounts']:,}"
    assert shown["本月收入（万元）"] == f"{expected['revenue'] / 1e4:,.1f}"
    assert shown["风险收入（万元）"] == f"{expected['at_risk'] / 1e4:,.1f}"
    at_risk, by_district, by_manager, bands = (d.value for d in at.dataframe)
    assert set(at_risk["district"]) == {district}
    assert list(by_district["district"]) == [district]
    assert by_district["account_count"].iloc[0] == expected["accounts"]
    managers = frame(scored_path, "select distinct manager_id from accounts where district = ?", [district])
    assert set(by_manager["manager_id"]) <= set(managers["manager_id"])
    assert bands["account_count"].sum() == expected["scored"]  # the bands hold the scored accounts


def test_english_switch_shows_english_labels(scored_path, monkeypatch):
    at = open_page(scored_path, monkeypatch, lang="en")
    labels = [m.label for m in at.metric]
    assert labels == [
        "Accounts in service",
        "Revenue this month (10k yuan)",
        "Revenue at risk (10k yuan)",
        "Opportunity value (10k yuan)",
        "Accounts at risk",
    ]
    assert at.title[0].value == "Portfolio overview"
    assert [tab.label for tab in at.tabs] == ["At-risk list", "By district", "By manager", "Risk distribution"]
    districts = at.dataframe[1].value["district"]
    assert "Pudong" in set(districts) and "浦东" not in set(districts)
    reasons = at.dataframe[0].value["churn_reasons"]
    in_english = [not re.search("[\u4e00-\u9fff]", r) for r in reasons]
    assert sum(in_english) > len(reasons) / 2  # worded afresh, not the Chinese scoring stored
    assert all(b.label == "Download data (CSV)" for b in at.get("download_button"))


def test_no_change_is_shown_against_a_month_without_scores(scored_path, monkeypatch, months):
    at = open_page(scored_path, monkeypatch, f_month=months[-1])  # the oldest scored month
    deltas = {m.label: m.delta for m in at.metric}
    assert not deltas["风险集团"] and not deltas["风险收入（万元）"] and not deltas["商机价值（万元）"]
    assert deltas["本月收入（万元）"]  # revenue comes from billing, which the month before has
    assert deltas["在网集团"]  # and accounts in service from the accounts' status and dates
    helps = {m.label: m.help for m in at.metric}
    assert "上月无评分" in helps["风险收入（万元）"]
    assert truth(scored_path, months[-1])["accounts"] == int(shown_metrics(at)["在网集团"].replace(",", ""))


def test_every_table_shows_every_column_and_downloads_as_the_csv_it_shows(scored_copy, monkeypatch, months):
    offered = offered_downloads(monkeypatch)
    at = open_page(scored_copy, monkeypatch)
    assert unlabelled_columns(at) == []  # the manager and account names are drawn, with their headers
    month = f"{months[0]:%Y-%m}"
    names = {f"{k}_{month}.csv" for k in ("at_risk", "by_district", "by_manager", "risk_bands")}
    assert set(offered) == names
    assert exports(scored_copy) == []  # nothing is written before a click
    files = {name: offered[name]() for name in sorted(names)}  # each button clicked
    assert exports(scored_copy) == [("head", "head", "portfolio table", name) for name in sorted(names)]
    rows = list(csv.DictReader(io.StringIO(files[f"at_risk_{month}.csv"].decode("utf-8-sig"))))
    assert files[f"at_risk_{month}.csv"].startswith("\ufeff".encode())  # the BOM Excel needs
    at_risk = int(shown_metrics(at)["风险集团"].replace(",", ""))
    assert len(rows) == len(at.dataframe[0].value) == min(50, at_risk) > 0  # the first 50 of the accounts at risk
    assert rows[0]["集团编号"] == at.dataframe[0].value["account_id"].iloc[0]
    assert rows[0]["客户经理"] == at.dataframe[0].value["manager_name"].iloc[0]
    districts = list(csv.DictReader(io.StringIO(files[f"by_district_{month}.csv"].decode("utf-8-sig"))))
    assert sum(int(r["在网集团"]) for r in districts) == truth(scored_copy, months[0])["accounts"]


# ---- analytics.views.portfolio --------------------------------------------------------------------


def test_summary_levels_add_up_and_match_sql(scored_path, months):
    filters = Filters(month=months[0], classes=("B", "C"), industries=("制造业", "批发和零售业"))
    with db.connect(scored_path) as con:
        summary = portfolio.summary(con.cursor(), filters, manager_limit=5)
    expected = frame(
        scored_path,
        """
        select count(*) as n, sum(revenue_at_risk_yuan) as risk, sum(opportunity_value_yuan) as opp
        from scores inner join accounts using (account_id)
        where as_of_month = ? and value_class in ('B', 'C') and industry in ('制造业', '批发和零售业')
    """,
        [months[0]],
    ).iloc[0]
    h = summary.headline
    in_service = one(
        scored_path,
        f"select count(*) from accounts where {IN_SERVICE}"
        " and value_class in ('B', 'C') and industry in ('制造业', '批发和零售业')",
        [months[0], months[0]],
    )[0]
    assert h.accounts.value == in_service > expected["n"]  # in service: 沉默 accounts too, which are not scored
    assert h.revenue_at_risk_yuan.value == pytest.approx(expected["risk"])
    assert h.opportunity_value_yuan.value == pytest.approx(expected["opp"])
    districts = summary.by_district
    assert districts["account_count"].sum() == h.accounts.value
    assert districts["revenue_yuan"].sum() == pytest.approx(h.revenue_yuan.value)
    assert districts["revenue_at_risk_yuan"].sum() == pytest.approx(h.revenue_at_risk_yuan.value)
    assert districts["at_risk_account_count"].sum() == h.at_risk_accounts.value
    managers = summary.by_manager
    assert len(managers.rows) == 5 < managers.total
    assert managers.rows["revenue_at_risk_yuan"].is_monotonic_decreasing
    top = frame(
        scored_path,
        """
        select manager_id, sum(revenue_at_risk_yuan) as risk from scores inner join accounts using (account_id)
        where as_of_month = ? and value_class in ('B', 'C') and industry in ('制造业', '批发和零售业')
        group by 1 order by 2 desc limit 1
    """,
        [months[0]],
    ).iloc[0]
    assert managers.rows["manager_id"].iloc[0] == top["manager_id"]
    assert managers.rows["revenue_at_risk_yuan"].iloc[0] == pytest.approx(top["risk"])


def test_scope_managers_restrict_what_a_user_sees(scored_path, months):
    manager = one(scored_path, "select manager_id from accounts order by manager_id desc limit 1")[0]
    with db.connect(scored_path) as con:
        listed = portfolio.at_risk(con.cursor(), Filters(month=months[0], scope_managers=(manager,)), limit=500)
        summary = portfolio.summary(con.cursor(), Filters(month=months[0], scope_managers=(manager,)))
    own = one(
        scored_path,
        "select count(*) from scores inner join accounts using (account_id)"
        " where as_of_month = ? and manager_id = ? and churn_probability >= ?",
        [months[0], manager, rules.at_risk_probability()],
    )[0]
    assert own > 0
    assert set(listed["manager_id"]) == {manager} and len(listed) == own
    assert list(summary.by_manager.rows["manager_id"]) == [manager]


def test_risk_bands_count_every_account_once(scored_path, months):
    with db.connect(scored_path) as con:
        bands = portfolio.risk_bands(con.cursor(), Filters(month=months[0]))
    assert list(bands["lower"]) == list(portfolio.RISK_BAND_EDGES)
    edges = [*portfolio.RISK_BAND_EDGES, 1.01]
    for (_, band), lower, upper in zip(bands.iterrows(), edges, edges[1:], strict=False):
        n = one(
            scored_path,
            "select count(*) from scores where as_of_month = ? and churn_probability >= ? and churn_probability < ?",
            [months[0], lower, upper],
        )[0]
        assert band["account_count"] == n
    assert (
        bands["account_count"].sum()
        == one(scored_path, "select count(*) from scores where as_of_month = ?", [months[0]])[0]
    )


def test_a_change_needs_a_previous_value():
    assert portfolio.Figure(110.0, 100.0).change == pytest.approx(0.10)
    assert portfolio.Figure(110.0, 100.0).difference == pytest.approx(10.0)
    assert portfolio.Figure(110.0, None).change is None
    assert portfolio.Figure(110.0, None).difference is None
    assert portfolio.Figure(110.0, 0.0).change is None


def test_reasons_are_worded_from_the_accounts_own_values(scored_path, months):
    picked = frame(
        scored_path,
        """
        select account_id, feature, reason from score_reasons
        where as_of_month = ? and feature = 'months_to_agreement_end' and rank = 1
        order by account_id limit 3
    """,
        [months[0]],
    )
    assert len(picked)
    values = frame(
        scored_path,
        """
        select account_id, months_to_agreement_end from mart_account_features
        where billing_month = ? and list_contains(?, account_id)
    """,
        [months[0], list(picked["account_id"])],
    ).set_index("account_id")["months_to_agreement_end"]
    with db.connect(scored_path) as con:
        worded = portfolio.reasons(con.cursor(), Filters(month=months[0]), list(picked["account_id"]), "en")
    for row in picked.itertuples(index=False):
        expected = account.reason_text(row.feature, float(values[row.account_id]), row.reason, "en")
        assert worded[row.account_id][0] == expected != row.reason


# ---- the at-risk list says what to do -------------------------------------------------------------


def test_the_at_risk_list_shows_the_latest_retention_action_and_links_to_the_account(scored_copy, monkeypatch, months):
    first_two = frame(
        scored_copy,
        """
        select account_id from scores where as_of_month = ? and churn_probability >= ?
        order by revenue_at_risk_yuan desc, account_id limit 2
    """,
        [months[0], rules.at_risk_probability()],
    )["account_id"].tolist()
    acted, untouched = first_two
    with db.connect(scored_copy) as con:  # as the 客户挽留 page records them, an older and a newer one
        records.record_retention_action(
            con, {"account_id": acted, "action": "电话回访，了解不满原因"}, now=dt.datetime(2026, 11, 2, 9, 0)
        )
        records.record_retention_action(
            con,
            {"account_id": acted, "action": "上门拜访决策人，洽谈续约优惠", "status": "进行中"},
            now=dt.datetime(2026, 11, 20, 15, 30),
        )
    at = open_page(scored_copy, monkeypatch)
    table = at.dataframe[0]
    listed = table.value.set_index("account_id")
    # who, how much, what was done, the link and why first: nothing of it off the right edge
    # (ranked by expected revenue saved: the rank, the action to take and why come first)
    assert list(table.value.columns[:12]) == [
        "rank",
        "account_name",
        "holdout",
        "recommended_kind",
        "expected_saved_yuan",
        "kind_reasons",
        "churn_probability",
        "revenue_at_risk_yuan",
        "latest_action",
        "latest_action_status",
        "account_link",
        "churn_reasons",
    ]
    assert listed.loc[acted, "latest_action"] == "上门拜访决策人，洽谈续约优惠"  # the latest, not the first
    assert listed.loc[acted, "latest_action_status"] == "进行中"
    assert listed.loc[untouched, "latest_action"] == "未采取行动"
    assert listed.loc[untouched, "latest_action_status"] == ""
    assert (listed.drop(index=acted)["latest_action"] == "未采取行动").all()
    config = json.loads(table.proto.columns)
    assert config["latest_action"]["label"] == "最近挽留行动" and config["latest_action_status"]["label"] == "行动状态"
    # rows tall enough for the reasons to wrap in their cell, the column wide enough for them in a
    # few lines: read whole without scrolling sideways past the action and the link
    assert table.proto.row_height == tables.WRAPPED_ROW > 64  # Streamlit wraps text above 4rem
    widest = max(tables.shown_width(r) for r in listed["churn_reasons"])
    assert config["churn_reasons"]["width"] * tables.WRAP_LINES >= min(widest, tables.WRAPPED_MOST * tables.WRAP_LINES)
    # the link: a link column whose address opens that account on the account view
    assert config["account_link"]["type_config"]["type"] == "link"
    url = urllib.parse.urlsplit(listed.loc[acted, "account_link"])
    page = pages.at_url(url.path)
    assert page is not None and page.name == "account"
    opened = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    opened.run()
    for key, value in urllib.parse.parse_qsl(url.query):
        opened.query_params[key] = value
    opened.switch_page(page.file)
    opened.run()
    assert not opened.exception
    assert opened.subheader[0].value == listed.loc[acted, "account_name"]
    assert opened.query_params["account"] == acted


def test_the_at_risk_list_speaks_english_too(scored_path, monkeypatch):
    at = open_page(scored_path, monkeypatch, lang="en")
    listed = at.dataframe[0].value
    assert set(listed["latest_action"]) == {"No action taken"}  # the demo records no action
    assert json.loads(at.dataframe[0].proto.columns)["account_link"]["label"] == "Account view"
