"""A rule has one home, the rules file: changing it (NEEDSMINE_RULES) changes every place that
applies it — the at-risk threshold on the portfolio, the urgent report kind in the stored
features, the report form and the compliance check."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from rules_files import write_rules

from analytics.common import rules
from analytics.common.filters import Filters
from analytics.views import compliance, portfolio
from analytics.views.daily_work import records
from analytics.views.daily_work.checks import ValidationError
from analytics.warehouse import build, db

NOW = dt.datetime(2026, 11, 20, 12, 0)


def test_the_at_risk_threshold_is_read_where_it_is_used(scored_path, tmp_path, monkeypatch, the_rules):
    with db.connect(scored_path) as con:
        month = con.execute("select max(as_of_month) from scores").fetchone()[0]

        def shown() -> float:
            return portfolio.summary(con.cursor(), Filters(month=month)).headline.at_risk_accounts.value

        def truth(threshold: float) -> int:
            return con.execute(
                "select count(*) from scores inner join accounts using (account_id) "
                "where as_of_month = ? and churn_probability >= ?",
                [month, threshold],
            ).fetchone()[0]

        packaged = shown()
        lower = write_rules(tmp_path, {"churn_probability_at_least = 0.1": "churn_probability_at_least = 0.05"})
        monkeypatch.setenv(rules.RULES_ENV, str(lower))
        assert rules.at_risk_probability() == 0.05
        assert shown() == truth(0.05) > packaged == truth(the_rules.churn_probability_at_least)


def test_the_urgent_kind_of_the_rules_file_decides_which_reports_are_urgent(demo_path, tmp_path, monkeypatch):
    path = write_rules(tmp_path, {'urgent_kind = "争抢"': 'urgent_kind = "资费"'})
    monkeypatch.setenv(rules.RULES_ENV, str(path))
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, warehouse)
    with db.connect(warehouse) as con:
        build.build(con, test=False)
        # the stored features count the rule's kind (what the churn model reads as urgent reports)
        counted = con.execute(
            "select sum(urgent_report_count), sum(other_report_count) from int_account_month_activity"
        ).fetchone()
        by_kind = dict(
            con.execute(
                "select reports.kind, count(*) from stg_competitor_reports as reports "
                "inner join int_account_months as spine "
                "on spine.account_id = reports.account_id and spine.billing_month = reports.reported_month "
                "group by reports.kind"
            ).fetchall()
        )
        assert counted == (by_kind["资费"], sum(by_kind.values()) - by_kind["资费"])
        assert by_kind["资费"] != by_kind["争抢"]  # else the test could not tell the kinds apart

        # the report form asks the rule's kind, and only it, to name the account targeted
        manager_id = con.execute("select manager_id from managers order by manager_id limit 1").fetchone()[0]
        report = {
            "manager_id": manager_id,
            "competitor": "中国电信",
            "observed_at": "2026-11-19T21:30",
            "description": "免费送三个月专线",
        }
        with pytest.raises(ValidationError) as caught:
            records.record_competitor_report(con, {**report, "kind": "资费"}, now=NOW)
        assert caught.value.problems["account_id"].key == "forms.error.urgent_needs_account"
        assert records.record_competitor_report(con, {**report, "kind": "争抢"}, now=NOW)

    # the compliance check gives the rule's kind a deadline
    filed = pd.DataFrame(
        {
            "kind": ["资费", "争抢"],
            "observed_at": [pd.Timestamp("2025-10-13 10:00")] * 2,
            "reported_at": [pd.Timestamp("2025-10-20 10:00")] * 2,
        }
    )
    judged = compliance.judge_lateness(filed, rules.load())
    assert list(judged["is_urgent"]) == [True, False] and list(judged["is_late"]) == [True, False]


def test_a_changed_urgent_kind_makes_the_warehouse_unbuilt_until_built_again(demo_path, tmp_path, monkeypatch):
    """Pages read the rule live, the stored features at build: a changed rule asks for a build, so
    the next start (or train, score, build) makes them agree again."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, warehouse)
    with db.connect(warehouse) as con:
        build.build(con, test=False)
        assert build.is_built(con)
        path = write_rules(tmp_path, {'urgent_kind = "争抢"': 'urgent_kind = "资费"'})
        monkeypatch.setenv(rules.RULES_ENV, str(path))
        assert not build.is_built(con)
        build.build(con, test=False)
        assert build.is_built(con)
        assert con.execute("select urgent_kind from build_rules").fetchone() == ("资费",)
