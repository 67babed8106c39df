"""The guideline's rules (SPEC §6) on small hand-made warehouses (the `needsmine compliance`
command: tests/cli/test_compliance_command.py; the rules file itself: test_rules.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from rules_files import write_rules

from analytics import config
from analytics.common import rules
from analytics.common.filters import Filters
from analytics.common.months import day_end
from analytics.views import compliance
from analytics.warehouse import build, db

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat
AS_OF = D("2026-10-31")


# ---- hand-made warehouses ----------------------------------------------------------------------


def add_managers(con, *rows: tuple[str, str]) -> None:
    for manager_id, district in rows:
        con.execute(
            "insert into managers (manager_id, manager_name, district, team) values (?, ?, ?, 'T1')",
            [manager_id, f"经理{manager_id}", district],
        )


def add_account(
    con,
    account_id: str,
    value_class: str = "C",
    *,
    key: bool = False,
    manager: str = "M1",
    district: str = "浦东",
    opened: str = "2020-01-01",
    status: str = "在网",
    closed: str | None = None,
) -> None:
    con.execute(
        "insert into accounts values (?, ?, '制造业', ?, ?, ?, ?, 100, '民营企业', ?, null, null, ?, ?, null)",
        [
            account_id,
            f"集团{account_id}",
            district,
            value_class,
            key,
            manager,
            D(opened),
            status,
            D(closed) if closed else None,
        ],
    )


def add_update(con, account_id: str, kind: str, at: str) -> None:
    n = con.execute("select count(*) from profile_updates").fetchone()[0]
    con.execute("insert into profile_updates values (?, ?, ?, ?, 'M1')", [f"U{n}", account_id, kind, T(at)])


def add_report(con, manager: str, kind: str, observed: str, reported: str, account: str | None = None) -> str:
    n = con.execute("select count(*) from competitor_reports").fetchone()[0]
    report_id = f"R{n}"
    con.execute(
        "insert into competitor_reports values (?, ?, ?, '中国电信', ?, ?, ?, '免费送专线')",
        [report_id, manager, account, kind, T(observed), T(reported)],
    )
    return report_id


def add_visit(con, account_id: str, at: str, channel: str = "上门") -> None:
    n = con.execute("select count(*) from interactions").fetchone()[0]
    con.execute(
        "insert into interactions values (?, ?, 'M1', ?, ?, '决策人', '走访', [])",
        [f"I{n}", account_id, T(at), channel],
    )


def add_scores(con, month: str, *rows: tuple[str, float, float]) -> None:
    """(account_id, churn_probability, revenue_at_risk_yuan) rows of one scoring month."""
    con.execute((config.SQL_DIR / "outputs" / "scores.sql").read_text(encoding="utf-8"))
    for account_id, probability, at_risk in rows:
        con.execute(
            "insert into scores (account_id, as_of_month, churn_probability, revenue_at_risk_yuan, scored_at) "
            "values (?, ?, ?, ?, now())",
            [account_id, D(month), probability, at_risk],
        )


def add_action(con, account_id: str, created: str, status: str = "计划", outcome: str | None = None) -> None:
    n = con.execute("select count(*) from retention_actions").fetchone()[0]
    completed = T(created) if status in ("已完成", "已取消") else None
    con.execute(
        "insert into retention_actions (action_id, account_id, owner_id, action, status, outcome, created_at, "
        "due_on, completed_at) values (?, ?, 'M1', '上门拜访', ?, ?, ?, null, ?)",
        [f"A{n}", account_id, status, outcome, T(created), completed],
    )


@pytest.fixture()
def con(empty_con):
    """A schema-only warehouse with its views and macros (filled by each test)."""
    build.build(empty_con, test=False)
    return empty_con


# ---- profile freshness ---------------------------------------------------------------------------


def status_of(con, the_rules, as_of=AS_OF, scope=None) -> pd.DataFrame:
    return compliance.profile_status(con, as_of, scope, the_rules).set_index(["account_id", "kind"])


def test_a_c_account_is_overdue_one_day_after_three_months(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "late", "C")
    add_account(con, "on_time", "C")
    add_update(con, "late", "basic", "2026-07-30 17:00")  # due 10-30: 1 day overdue on 10-31
    add_update(con, "on_time", "basic", "2026-07-31 09:00")  # due 10-31 exactly: not overdue
    s = status_of(con, the_rules)
    assert s.loc[("late", "basic"), "is_overdue"] and s.loc[("late", "basic"), "days_overdue"] == 1
    assert s.loc[("late", "basic"), "due_on"] == pd.Timestamp("2026-10-30")
    assert not s.loc[("on_time", "basic"), "is_overdue"] and s.loc[("on_time", "basic"), "days_overdue"] == 0
    # The same update judged a day earlier is not overdue yet.
    assert not status_of(con, the_rules, D("2026-10-30")).loc[("late", "basic"), "is_overdue"]


def test_cadence_follows_the_class_and_the_key_flag(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "a", "A")
    add_account(con, "c_key", "C", key=True)  # key accounts follow the key cadence (1 month)
    add_account(con, "c", "C")
    add_account(con, "d", "D")  # D follows C (3 months)
    for account in ("a", "c_key", "c", "d"):
        add_update(con, account, "basic", "2026-09-15 10:00")
        add_update(con, account, "personal", "2026-08-15 10:00")
    s = status_of(con, the_rules)
    assert s.loc[("a", "basic"), "is_overdue"] and s.loc[("a", "basic"), "days_overdue"] == 16
    assert s.loc[("c_key", "basic"), "cadence_class"] == "key" and s.loc[("c_key", "basic"), "is_overdue"]
    assert not s.loc[("c", "basic"), "is_overdue"] and not s.loc[("d", "basic"), "is_overdue"]
    # Personal every 2 months for A and key: 08-15 + 2 months = 10-15 → 16 days overdue; C/D 4 months: fine.
    assert s.loc[("a", "personal"), "days_overdue"] == 16 and s.loc[("c_key", "personal"), "is_overdue"]
    assert not s.loc[("c", "personal"), "is_overdue"] and s.loc[("d", "personal"), "cadence_months"] == 4


def test_who_is_on_the_books_and_which_updates_count(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "never", "C", opened="2026-05-01")  # never updated: due 3 months after opening
    add_account(con, "new", "C", opened="2026-09-01")  # opened recently: not due yet
    add_account(con, "closed", "C", status="销户", closed="2026-06-30")
    add_account(con, "prospect", "C", status="潜在", opened="2026-10-01")
    add_account(con, "future_update", "B")
    add_update(con, "future_update", "basic", "2026-11-05 10:00")  # after the as-of day: ignored
    s = status_of(con, the_rules)
    assert set(s.index.get_level_values(0)) == {"never", "new", "future_update"}
    assert s.loc[("never", "basic"), "due_on"] == pd.Timestamp("2026-08-01")
    assert s.loc[("never", "basic"), "days_overdue"] == 91
    assert not s.loc[("new", "basic"), "is_overdue"]
    assert s.loc[("future_update", "basic"), "is_overdue"] and pd.isna(
        s.loc[("future_update", "basic"), "last_updated_at"]
    )
    # Judged before it closed, the closed account is on the books.
    assert "closed" in set(status_of(con, the_rules, D("2026-06-29")).index.get_level_values(0))


def test_rates_by_manager_and_district_and_the_trend(con, the_rules):
    add_managers(con, ("M1", "浦东"), ("M2", "黄浦"))
    add_account(con, "p1", "A", manager="M1", district="浦东")
    add_account(con, "p2", "A", manager="M1", district="浦东")
    add_account(con, "h1", "A", manager="M2", district="黄浦")
    for account in ("p1", "h1"):
        for month in range(1, 11):
            add_update(con, account, "basic", f"2026-{month:02d}-20 10:00")
            add_update(con, account, "personal", f"2026-{month:02d}-20 10:00")
    add_update(con, "p2", "basic", "2026-08-20 10:00")  # basic overdue from 09-21, personal never
    add_update(con, "p2", "personal", "2026-08-20 10:00")  # personal due 10-20 → overdue on 10-31
    status = compliance.profile_status(con, AS_OF, None, the_rules)
    by_manager = compliance.profile_rates(status, ["manager_id"]).set_index("manager_id")
    assert by_manager.loc["M1", "account_count"] == 2 and by_manager.loc["M1", "basic_overdue"] == 1
    assert by_manager.loc["M1", "basic_rate"] == 0.5 and by_manager.loc["M2", "basic_rate"] == 1.0
    by_district = compliance.profile_rates(status, ["district"]).set_index("district")
    assert by_district.loc["浦东", "personal_rate"] == 0.5 and by_district.loc["黄浦", "personal_rate"] == 1.0
    trend = compliance.profile_trend(con, AS_OF, None, the_rules, months=3).set_index(["as_of_on", "kind"])
    aug, sep, octo = pd.Timestamp("2026-08-31"), pd.Timestamp("2026-09-30"), pd.Timestamp(AS_OF)
    assert list(trend.index.get_level_values(0).unique()) == [aug, sep, octo]
    assert trend.loc[(aug, "basic"), "overdue_count"] == 0
    assert trend.loc[(sep, "basic"), "overdue_count"] == 1  # p2 due 09-20
    assert trend.loc[(octo, "personal"), "overdue_count"] == 1 and trend.loc[(octo, "basic"), "account_count"] == 3
    assert trend.loc[(octo, "basic"), "compliance_rate"] == pytest.approx(2 / 3)
    # The sidebar's district filter narrows every figure.
    scope = Filters(month=D("2026-10-01"), districts=("黄浦",))
    assert set(compliance.profile_status(con, AS_OF, scope, the_rules)["account_id"]) == {"h1"}


def test_the_trend_agrees_with_the_status_on_the_demo(scored_copy, the_rules):
    with db.connect(scored_copy) as con:
        trend = compliance.profile_trend(con, AS_OF, None, the_rules, months=4)
        for day in trend["as_of_on"].unique():
            day = pd.Timestamp(day).date()
            status = compliance.profile_status(con, day, None, the_rules)
            counted = trend[trend["as_of_on"] == pd.Timestamp(day)].set_index("kind")["overdue_count"]
            for kind in ("basic", "personal"):
                assert counted[kind] == int(status.loc[status["kind"] == kind, "is_overdue"].sum())


def test_a_narrowed_status_is_the_whole_status_narrowed(scored_path, the_rules):
    """The status query reads only the scoped accounts' updates when the scope is narrowed (and
    all of them when it is not): either way the rows must be those of the whole book."""
    with db.connect(scored_path) as con:
        whole = compliance.profile_status(con, AS_OF, None, the_rules)
        district = whole["district"].value_counts().index[0]
        scope = Filters(month=D("2026-10-01"), districts=(district,))
        narrowed = compliance.profile_status(con, AS_OF, scope, the_rules)
        managers = tuple(whole["manager_id"].drop_duplicates().head(3))
        by_reach = compliance.profile_status(
            con, AS_OF, Filters(month=D("2026-10-01"), scope_managers=managers), the_rules
        )
    assert 0 < len(narrowed) < len(whole) and narrowed["last_updated_at"].notna().any()
    expected = whole[whole["district"] == district].reset_index(drop=True)
    pd.testing.assert_frame_equal(narrowed, expected)
    pd.testing.assert_frame_equal(by_reach, whole[whole["manager_id"].isin(managers)].reset_index(drop=True))


# ---- competitor reports ----------------------------------------------------------------------------


def test_managers_without_a_report_this_month(con, the_rules):
    add_managers(con, ("M1", "浦东"), ("M2", "黄浦"), ("M3", "黄浦"))
    add_account(con, "p1", manager="M1")
    add_account(con, "h1", manager="M2", district="黄浦")
    add_account(con, "h2", manager="M3", district="黄浦")
    add_report(con, "M1", "产品", "2026-10-02 09:00", "2026-10-03 09:00")
    add_report(con, "M2", "资费", "2026-09-28 09:00", "2026-09-30 18:00")  # last month: does not count
    add_report(con, "M3", "资费", "2026-10-30 09:00", "2026-11-02 09:00")  # filed next month
    managers = compliance.report_managers(con, AS_OF, None, the_rules).set_index("manager_id")
    assert managers["report_count"].to_dict() == {"M1": 1, "M2": 0, "M3": 0}
    assert list(managers.index[~managers["has_enough_reports"]]) == ["M2", "M3"]
    assert managers.loc["M2", "last_reported_at"] == pd.Timestamp("2026-09-30 18:00")
    # Judged on 11-30, M3's report counts for November.
    november = compliance.report_managers(con, D("2026-11-30"), None, the_rules).set_index("manager_id")
    assert november.loc["M3", "has_enough_reports"] and not november.loc["M1", "has_enough_reports"]


def test_urgent_reports_against_the_working_day_deadline(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "p1", manager="M1")
    on_time = add_report(con, "M1", "争抢", "2025-09-30 22:00", "2025-10-09 20:00", "p1")  # holiday eve → 10-09
    late = add_report(con, "M1", "争抢", "2025-09-30 10:00", "2025-10-10 08:00", "p1")
    saturday = add_report(con, "M1", "争抢", "2025-10-10 16:00", "2025-10-11 10:00", "p1")  # make-up Saturday
    general = add_report(con, "M1", "产品", "2025-10-01 10:00", "2025-10-20 10:00")  # not urgent: no deadline
    reports = compliance.month_reports(con, D("2025-10-31"), None, the_rules).set_index("report_id")
    assert reports.loc[on_time, "due_on"] == D("2025-10-09") and not reports.loc[on_time, "is_late"]
    assert reports.loc[late, "is_late"] and reports.loc[late, "working_days_late"] == 1
    assert reports.loc[saturday, "due_on"] == D("2025-10-11") and not reports.loc[saturday, "is_late"]
    assert not reports.loc[general, "is_urgent"] and not reports.loc[general, "is_late"]
    review = compliance.review(con, D("2025-10-31"), None, the_rules)
    assert list(review.late_urgent["report_id"]) == [late]
    assert review.summary().late_urgent == 1 and review.summary().urgent_reports == 3


def test_friday_before_a_make_up_saturday_is_late_on_monday(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "p1", manager="M1")
    monday = add_report(con, "M1", "争抢", "2025-02-07 15:00", "2025-02-10 09:00", "p1")
    reports = compliance.month_reports(con, D("2025-02-28"), None, the_rules).set_index("report_id")
    assert reports.loc[monday, "due_on"] == D("2025-02-08") and reports.loc[monday, "is_late"]


def test_two_working_days_when_configured(con, tmp_path):
    two = rules.load(write_rules(tmp_path, {"urgent_deadline_working_days = 1": "urgent_deadline_working_days = 2"}))
    add_managers(con, ("M1", "浦东"))
    add_account(con, "p1", manager="M1")
    report = add_report(con, "M1", "争抢", "2025-09-30 10:00", "2025-10-10 08:00", "p1")
    reports = compliance.month_reports(con, D("2025-10-31"), None, two).set_index("report_id")
    assert reports.loc[report, "due_on"] == D("2025-10-10") and not reports.loc[report, "is_late"]


def test_reports_follow_the_scope(con, the_rules):
    add_managers(con, ("M1", "浦东"), ("M2", "黄浦"))
    add_account(con, "p1", "A", manager="M1")
    add_account(con, "h1", "C", manager="M2", district="黄浦")
    mine = add_report(con, "M1", "争抢", "2026-10-09 10:00", "2026-10-09 12:00", "p1")
    loose = add_report(con, "M2", "资费", "2026-10-09 10:00", "2026-10-09 12:00")  # no account: by manager
    theirs = add_report(con, "M2", "争抢", "2026-10-09 10:00", "2026-10-09 12:00", "h1")
    everything = compliance.month_reports(con, AS_OF, None, the_rules)
    assert set(everything["report_id"]) == {mine, loose, theirs}
    huangpu = Filters(month=D("2026-10-01"), districts=("黄浦",))
    assert set(compliance.month_reports(con, AS_OF, huangpu, the_rules)["report_id"]) == {loose, theirs}
    class_a = Filters(month=D("2026-10-01"), classes=("A",))
    assert set(compliance.month_reports(con, AS_OF, class_a, the_rules)["report_id"]) == {mine}


# ---- visits ------------------------------------------------------------------------------------------


def test_visits_against_the_quota_of_the_class(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "a_ok", "A")
    add_account(con, "a_short", "A")
    add_account(con, "c_ok", "C")
    add_account(con, "c_short", "C")
    add_visit(con, "a_ok", "2026-10-01 09:00")
    add_visit(con, "a_short", "2026-09-30 18:00")  # the month before: outside A's 1-month window
    add_visit(con, "c_ok", "2026-08-01 09:00", channel="电话")  # C: 1 in 3 months; phone counts
    add_visit(con, "c_short", "2026-07-31 09:00")  # one day before the 3-month window
    add_visit(con, "c_short", "2026-11-01 09:00")  # after the as-of day
    visits = compliance.visit_counts(con, AS_OF, None, the_rules).set_index("account_id")
    assert visits["visit_count"].to_dict() == {"a_ok": 1, "a_short": 0, "c_ok": 1, "c_short": 0}
    assert visits.loc["c_ok", "window_start_on"] == pd.Timestamp("2026-08-01")
    assert sorted(visits.index[visits["is_under_quota"]]) == ["a_short", "c_short"]
    assert list(compliance.under_served(visits.reset_index())["account_id"]) == ["a_short", "c_short"]
    assert visits.loc["a_short", "last_contact_at"] == pd.Timestamp("2026-09-30 18:00")


def test_only_the_counted_channels_count(con, tmp_path):
    on_site_only = rules.load(write_rules(tmp_path, {'["电话", "上门", "座谈会", "微信", "邮件"]': '["上门"]'}))
    add_managers(con, ("M1", "浦东"))
    add_account(con, "a", "A")
    add_visit(con, "a", "2026-10-10 09:00", channel="微信")
    visits = compliance.visit_counts(con, AS_OF, None, on_site_only).set_index("account_id")
    assert visits.loc["a", "visit_count"] == 0 and visits.loc["a", "is_under_quota"]


# ---- retention ---------------------------------------------------------------------------------------


def test_at_risk_accounts_and_their_actions(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    for account in ("risky", "acted", "cancelled", "old_action", "big", "safe"):
        add_account(con, account, "B")
    filler = [(f"f{k:03d}", 0.01, 10.0) for k in range(200)]
    add_scores(
        con,
        "2026-10-01",
        ("risky", 0.35, 100.0),
        ("acted", 0.12, 90.0),
        ("cancelled", 0.5, 80.0),
        ("old_action", 0.2, 70.0),
        ("big", 0.05, 5000.0),
        ("safe", 0.05, 50.0),
        *filler,
    )
    add_scores(con, "2026-09-01", ("safe", 0.9, 1.0))  # another month: not read
    add_action(con, "acted", "2026-11-20 10:00")  # after the scoring month, up to now: answers the risk
    add_action(con, "cancelled", "2026-10-10 10:00", status="已取消")
    add_action(con, "old_action", "2026-07-15 10:00")  # before the 3-month lookback (from 08-01)
    at_risk = compliance.at_risk_accounts(con, AS_OF, None, the_rules, actions_through=T("2026-11-26 12:00"))
    at_risk = at_risk.set_index("account_id")
    # probability ≥ 0.1 (the rules' threshold) and nothing else: "big" puts the most revenue at
    # risk, yet at 5 % it is not at risk, as on the portfolio overview
    assert set(at_risk.index) == {"risky", "acted", "cancelled", "old_action"}
    assert list(at_risk.index) == ["risky", "acted", "cancelled", "old_action"]  # most revenue at risk first
    assert at_risk["has_action"].to_dict() == {
        "risky": False,
        "acted": True,
        "cancelled": False,
        "old_action": False,
    }
    # Judged at the end of October, the November action is not known yet …
    october = compliance.at_risk_accounts(con, AS_OF, None, the_rules, actions_through=day_end(AS_OF))
    assert not october.set_index("account_id").loc["acted", "has_action"]
    # … but October's scores are the latest: what is recorded after them, up to now, answers them
    # (the daily-work pages open on the data's month while the forms record today's work).
    now = T("2026-11-26 12:00")
    assert compliance.actions_through_for(con, AS_OF, now=now) == now
    assert compliance.actions_through_for(con, D("2026-09-30"), now=now) == day_end(D("2026-09-30"))
    latest = compliance.at_risk_accounts(con, AS_OF, None, the_rules).set_index("account_id")
    assert latest.loc["acted", "has_action"]
    # A month without scores uses the latest scoring month before it; none before: nothing at risk.
    assert compliance.score_month_for(con, D("2026-12-15")) == D("2026-10-01")
    assert compliance.at_risk_accounts(con, D("2026-08-31"), None, the_rules).empty


def test_no_scores_table_means_nothing_at_risk(con, the_rules):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "a", "A")
    at_risk = compliance.at_risk_accounts(con, AS_OF, None, the_rules)
    assert at_risk.empty and "has_action" in at_risk.columns
    assert compliance.review(con, AS_OF, None, the_rules).summary().at_risk_without_action == 0


def test_retention_success_rate(con):
    add_managers(con, ("M1", "浦东"))
    add_account(con, "a")
    add_action(con, "a", "2026-10-01 10:00", status="已完成", outcome="挽留成功")
    add_action(con, "a", "2026-10-02 10:00", status="已完成", outcome="挽留成功")
    add_action(con, "a", "2026-10-03 10:00", status="已完成", outcome="挽留失败")
    add_action(con, "a", "2026-10-04 10:00", status="已完成", outcome="部分挽留")
    add_action(con, "a", "2026-10-05 10:00", status="进行中")
    actions = compliance.retention_actions(con, T("2026-01-01 00:00"), T("2026-12-31 00:00"), None)
    outcomes = compliance.retention_outcomes(actions)
    assert (outcomes.actions, outcomes.open_actions, outcomes.with_outcome) == (5, 1, 4)
    assert outcomes.success_rate == 0.5 and outcomes.partly_retained == 1 and outcomes.lost == 1
    assert compliance.retention_outcomes(actions[actions["status"] == "进行中"]).success_rate is None
