"""One definition of "at risk" and of "in service": on the small demo warehouse, for every demo role,
each page, document and command counts the same accounts, each through its own code path (the
views' functions the pages call, the account view and its brief, `needsmine compliance`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analytics import cli
from analytics.access.auth import User, scope_managers
from analytics.common import rules
from analytics.common.filters import Filters
from analytics.common.months import month_end
from analytics.views import compliance, opportunities, portfolio, warehouse
from analytics.views.account import view as account_view
from analytics.views.account.documents import brief
from analytics.views.daily_work import period
from analytics.views.daily_work import records as daily_work
from analytics.warehouse import db

ROLES = ("manager", "district_head", "head", "analyst")
NEAR_MISSES = 12  # accounts just below the threshold whose account view must not say "at risk"


@pytest.fixture(scope="module")
def con(scored_path: Path):
    con = db.connect(scored_path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def month(con) -> dt.date:
    """The sidebar's default month: the latest scored one."""
    return pd.Timestamp(con.execute("select max(as_of_month) from scores").fetchone()[0]).date()


def user_of(con, role: str) -> User:
    """The demo user of `role` as `auth.ensure_demo_users` makes them: the manager with most accounts,
    the head of that manager's district, the department head, an analyst."""
    (manager_id,) = con.execute(
        "select manager_id from accounts group by 1 order by count(*) desc, 1 limit 1"
    ).fetchone()
    district = con.execute("select district from managers where manager_id = ?", [manager_id]).fetchone()[0]
    return {
        "manager": User("manager", "manager", "manager", manager_id=manager_id),
        "district_head": User("district_head", "district head", "head", district=district),
        "head": User("head", "head", "head"),
        "analyst": User("analyst", "analyst", "analyst"),
    }[role]


def account_ids(con, f: Filters) -> list[str]:
    """Every account the user reaches (the account view finds nothing outside the reach)."""
    params = f.params()
    if params["scope_managers"] is None:
        return [r[0] for r in con.execute("select account_id from accounts order by 1").fetchall()]
    rows = con.execute(
        "select account_id from accounts where list_contains(?, manager_id) order by 1", [params["scope_managers"]]
    ).fetchall()
    return [r[0] for r in rows]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_page_document_and_view_counts_the_same_accounts(con, month, role):
    user = user_of(con, role)
    f = Filters(month=month, scope_managers=scope_managers(con, user))
    the_rules = rules.load()
    threshold = rules.at_risk_probability()
    as_of = period.as_of_for(period.default_period(month, [month]))  # what the daily-work pages judge at
    assert as_of == month_end(month)

    # 组合总览: headline, the at-risk list, and its breakdowns
    summary = portfolio.summary(con, f, manager_limit=10_000)
    listed = portfolio.at_risk(con, f, limit=100_000)
    by_district, by_manager = summary.by_district, summary.by_manager.rows
    # 客户挽留 and 规范执行 (whose headline `needsmine compliance` prints)
    retention = compliance.at_risk_accounts(con, as_of, f, the_rules)
    review = compliance.review(con, as_of, f, the_rules)
    # 走访记录: accounts against the visit quota; the forms' account list
    visits = compliance.visit_counts(con, as_of, f, the_rules)
    form_accounts = daily_work.account_choices(con, f, limit=100_000, today=as_of)
    # 我的商机, manager by manager
    choices = opportunities.managers(con, f)
    mine = {m: opportunities.accounts(con, f, m) for m in choices["manager_id"]}
    opportunity_summaries = [
        opportunities.summary(rows, opportunities.in_service_count(choices, m)) for m, rows in mine.items()
    ]

    at_risk = int(summary.headline.at_risk_accounts.value)
    assert at_risk > 0
    assert (
        at_risk
        == len(listed)
        == int(by_district["at_risk_account_count"].sum())
        == int(by_manager["at_risk_account_count"].sum())
        == len(retention)
        == review.summary().at_risk
        == sum(s.at_risk_count for s in opportunity_summaries)
    ), role
    # the list holds only accounts meeting the definition, and the retention page the same ones
    assert (listed["churn_probability"] >= threshold).all()
    assert set(listed["account_id"]) == set(retention["account_id"])
    assert review.summary().at_risk_without_action == len(compliance.without_action(retention))

    in_service = int(summary.headline.accounts.value)
    assert at_risk < in_service
    assert (
        in_service
        == int(by_district["account_count"].sum())
        == int(by_manager["account_count"].sum())
        == review.summary().accounts_in_service
        == len(visits)
        == len(form_accounts)
        == sum(s.account_count for s in opportunity_summaries)
    ), role
    if f.scope_managers is None:  # 数据概览 shows the whole warehouse
        assert warehouse.headline(con).active_account_count == in_service

    # The account view and the manager's brief: the accounts at risk the user reaches and the
    # nearest below them (the view's flag and the list's threshold meet there; further down,
    # the probability only falls).
    scored = con.execute(
        "select account_id, churn_probability from scores where as_of_month = ? order by churn_probability desc",
        [month],
    ).df()
    scored = scored[scored["account_id"].isin(account_ids(con, f))]
    below = scored[scored["churn_probability"] < threshold].head(NEAR_MISSES)
    checked = [*listed["account_id"], *below["account_id"]]
    assert len(below) > 0
    flagged = 0
    for account_id in checked:
        v = account_view.load(con, account_id, month, f.scope_managers)
        assert (brief.risk_level(v) == "at_risk") == v.is_at_risk, account_id
        flagged += v.is_at_risk
    assert flagged == at_risk, role


def test_the_command_counts_as_the_pages_do_for_the_whole_department(scored_copy, capsys, month):
    with db.connect(scored_copy) as con:
        f = Filters(month=month)
        summary = portfolio.summary(con, f)
    # without --as-of the command judges the data's latest month, as the daily-work pages open on it
    assert cli.main(["compliance", "--db", str(scored_copy), "--json", "--quiet"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["as_of"] == str(period.as_of_for(month))
    assert shown["score_month"] == str(month)
    assert shown["at_risk"] == int(summary.headline.at_risk_accounts.value)
    assert shown["accounts_in_service"] == int(summary.headline.accounts.value)
