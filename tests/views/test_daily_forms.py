"""The daily-work writes: validation of `analytics.views.daily_work.records`, and the four pages through
AppTest — a submitted form writes exactly one row and is counted at once, an invalid one writes
nothing and shows each error beside its field, user text is stored and shown as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest import signed_in
from streamlit.testing.v1 import AppTest

from analytics.common import clock, i18n, rules
from analytics.common.months import add_months, month_end
from analytics.views import compliance
from analytics.views.daily_work import records as daily_work
from analytics.views.daily_work.records import ValidationError
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('x')</script> 客户想装千里眼视频监控"
NOW = dt.datetime(2026, 11, 20, 12, 0)


def this_month() -> dt.date:
    return clock.today().replace(day=1)


def open_page(path: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def count(path: Path, table: str) -> int:
    with db.connect(path) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def column_of(at: AppTest, widget: str, key: str):
    """The layout column holding the widget `key` (its errors are drawn in the same column)."""
    return next(c for c in at.columns if key in [w.key for w in getattr(c, widget)])


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def no_html(at: AppTest) -> None:
    """Nothing user-typed reaches the page as markdown/HTML."""
    assert all("<script>" not in m.value for m in at.markdown)
    assert all("<script>" not in c.value for c in at.caption)


@pytest.fixture()
def con(scored_copy):
    con = db.connect(scored_copy)
    yield con
    con.close()


@pytest.fixture()
def account(con) -> tuple[str, str]:
    return con.execute(
        "select account_id, manager_id from accounts where status = '在网' order by account_id limit 1"
    ).fetchone()


# ---- validation (no browser) -------------------------------------------------------------------


def test_an_interview_is_written_with_the_account_manager_by_default(con, account):
    values = {
        "account_id": account[0],
        "occurred_at": dt.datetime(2026, 11, 3, 10, 30),
        "channel": "上门",
        "contact_role": "决策人",
        "notes": f"  {SCRIPT}  ",
        "needs_found": ["service_marketing", "basic_comm"],
    }
    interaction_id = daily_work.record_interaction(con, values, now=NOW)
    row = con.execute(
        "select account_id, manager_id, occurred_at, channel::varchar, notes, needs_found::varchar[] from interactions "
        "where interaction_id = ?",
        [interaction_id],
    ).fetchone()
    assert row == (
        account[0],
        account[1],
        dt.datetime(2026, 11, 3, 10, 30),
        "上门",
        SCRIPT,
        ["basic_comm", "service_marketing"],
    )
    assert interaction_id.startswith("I-")


def test_every_broken_field_gets_its_own_message_and_nothing_is_written(con):
    before = con.execute("select count(*) from interactions").fetchone()[0]
    values = {
        "account_id": "9999",
        "occurred_at": dt.datetime(2026, 11, 21),
        "channel": "飞鸽",
        "contact_role": "",
        "notes": "x" * (daily_work.MAX_NOTES + 1),
        "needs_found": ["telepathy"],
    }
    with pytest.raises(ValidationError) as caught:
        daily_work.record_interaction(con, values, now=NOW)
    problems = caught.value.problems
    assert {name: p.key for name, p in problems.items()} == {
        "account_id": "forms.error.unknown_account",
        "occurred_at": "forms.error.future",
        "channel": "forms.error.choice",
        "contact_role": "forms.error.required",
        "notes": "forms.error.too_long",
        "needs_found": "forms.error.choice",
    }  # manager_id left empty: not reported, since the account it comes from is itself wrong
    messages = caught.value.messages("en")
    assert messages["account_id"] == "No account with id 9999" and "电话" in messages["channel"]
    assert caught.value.messages("zh")["occurred_at"] == "不能晚于当前时间"
    assert con.execute("select count(*) from interactions").fetchone()[0] == before


def test_competitor_report_rules(con, account):
    base = {
        "manager_id": account[1],
        "competitor": "中国电信",
        "observed_at": "2026-11-19T21:30",
        "description": "免费送三个月专线",
    }
    with pytest.raises(ValidationError) as caught:
        daily_work.record_competitor_report(con, {**base, "kind": "争抢"}, now=NOW)
    assert caught.value.problems["account_id"].key == "forms.error.urgent_needs_account"
    with pytest.raises(ValidationError) as caught:
        daily_work.record_competitor_report(con, {**base, "kind": "资费", "manager_id": "M99999"}, now=NOW)
    assert caught.value.problems["manager_id"].key == "forms.error.unknown_manager"
    with pytest.raises(ValidationError) as caught:
        daily_work.record_competitor_report(con, {**base, "kind": "资费", "observed_at": "19.11.2026"}, now=NOW)
    assert caught.value.problems["observed_at"].key == "forms.error.not_a_time"
    general = daily_work.record_competitor_report(con, {**base, "kind": "资费"}, now=NOW)
    urgent = daily_work.record_competitor_report(con, {**base, "kind": "争抢", "account_id": account[0]}, now=NOW)
    rows = dict(
        con.execute(
            "select report_id, account_id from competitor_reports where report_id in (?, ?)", [general, urgent]
        ).fetchall()
    )
    assert rows == {general: None, urgent: account[0]}
    reported = con.execute("select reported_at from competitor_reports where report_id = ?", [urgent]).fetchone()[0]
    assert reported == NOW


def test_retention_action_status_and_outcome(con, account):
    with pytest.raises(ValidationError) as caught:
        daily_work.record_retention_action(
            con, {"account_id": account[0], "action": "拜访", "status": "已完成"}, now=NOW
        )
    assert caught.value.problems["outcome"].key == "forms.error.done_needs_outcome"
    with pytest.raises(ValidationError) as caught:
        daily_work.record_retention_action(
            con,
            {"account_id": account[0], "action": "拜访", "outcome": "挽留成功", "due_on": dt.date(2026, 11, 1)},
            now=NOW,
        )
    assert caught.value.problems["outcome"].key == "forms.error.outcome_needs_done"
    assert caught.value.problems["due_on"].key == "forms.error.past_due"
    action_id = daily_work.record_retention_action(con, {"account_id": account[0], "action": "拜访决策人"}, now=NOW)
    status = (
        "select status::varchar, outcome::varchar, owner_id, completed_at from retention_actions where action_id = ?"
    )
    assert con.execute(status, [action_id]).fetchone() == ("计划", None, account[1], None)
    later = NOW + dt.timedelta(days=3)
    daily_work.update_retention_action(
        con, {"action_id": action_id, "status": "已完成", "outcome": "部分挽留"}, now=later
    )
    assert con.execute(status, [action_id]).fetchone() == ("已完成", "部分挽留", account[1], later)
    daily_work.update_retention_action(con, {"action_id": action_id, "status": "进行中"}, now=later)  # reopened
    assert con.execute(status, [action_id]).fetchone() == ("进行中", None, account[1], None)
    with pytest.raises(ValidationError) as caught:
        daily_work.update_retention_action(con, {"action_id": "A-none", "status": "进行中"}, now=later)
    assert caught.value.problems["action_id"].key == "forms.error.unknown_action"


def test_retention_action_kind_is_asked_checked_and_stored(con, account):
    base = {"account_id": account[0], "action": "续签三年协议"}
    with pytest.raises(ValidationError) as caught:
        daily_work.record_retention_action(con, base, now=NOW, kind_required=True)
    assert caught.value.problems["action_kind"].key == "forms.error.required"
    with pytest.raises(ValidationError) as caught:
        daily_work.record_retention_action(con, {**base, "action_kind": "gift"}, now=NOW, kind_required=True)
    assert caught.value.problems["action_kind"].key == "forms.error.choice"
    assert con.execute("select count(*) from retention_actions").fetchone()[0] == 0
    action_id = daily_work.record_retention_action(con, {**base, "action_kind": "renewal"}, now=NOW, kind_required=True)
    stored = con.execute("select action_kind::varchar from retention_actions where action_id = ?", [action_id])
    assert stored.fetchone()[0] == "renewal"
    # Callers other than the form (and old rows) may leave it empty.
    other = daily_work.record_retention_action(con, base, now=NOW)
    assert con.execute("select action_kind from retention_actions where action_id = ?", [other]).fetchone()[0] is None
    for kind in db.enum_values(con, "action_kind"):  # every kind has its words in both languages
        assert i18n.label("action_kind", kind, "zh") != kind and i18n.label("action_kind", kind, "en") != kind


def test_the_retention_form_requires_the_kind(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/retention.py")
    assert "资费优惠" in at.selectbox(key="ra_kind").options
    at.selectbox(key="ra_account").set_value(at.dataframe[0].value["account_id"].iloc[0])
    at.text_area(key="ra_action").input("赠送流量包")
    at.button(key="ra_submit").click().run()
    assert [e.value for e in at.error] == ["必填项"]  # under the kind, the one field left empty
    assert count(scored_copy, "retention_actions") == 0
    at.selectbox(key="ra_kind").set_value("price_offer")
    at.button(key="ra_submit").click().run()
    assert not at.exception and not at.error
    with db.connect(scored_copy) as c:
        assert c.execute("select action_kind::varchar from retention_actions").fetchall() == [("price_offer",)]


def test_notes_are_mapped_to_areas_by_the_trained_model(scored_copy, tmp_path):
    model = daily_work.load_notes_model(scored_copy)
    assert model is not None
    assert "production_control" in daily_work.suggest_needs(model, "客户想在厂区装千里眼视频监控，车队需要车务通定位")
    assert daily_work.suggest_needs(model, "   ") == [] and daily_work.suggest_needs(None, "视频监控") == []
    assert daily_work.load_notes_model(tmp_path / "untrained.duckdb") is None


def test_every_text_of_the_daily_pages_parses_into_key_zh_en():
    import csv

    for name in ("compliance", "competitor_reports", "interviews", "retention", "forms"):
        with (ROOT / "analytics" / "common" / "i18n" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert None not in row and len(row) == 3, (name, row)  # an unquoted comma splits a row
    assert i18n.text("forms.error.too_long", "en", n=4000) == "At most 4,000 characters"


# ---- the pages -----------------------------------------------------------------------------------


def test_a_competitor_report_is_filed_once_counted_at_once_and_shown_as_text(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/competitor_reports.py")
    at.selectbox(key="reports_period").set_value(this_month()).run()  # a report filed today counts this month
    before, shown_before = count(scored_copy, "competitor_reports"), int(metric(at, "本月上报"))
    manager = at.selectbox(key="cr_manager").options[0].split(" ")[0]
    at.selectbox(key="cr_manager").set_value(manager)
    at.selectbox(key="cr_kind").set_value("争抢")
    at.selectbox(key="cr_competitor").set_value("中国联通")
    account = at.selectbox(key="cr_account").options[0].split(" ")[0]
    at.selectbox(key="cr_account").set_value(account)
    at.date_input(key="cr_observed_on").set_value(clock.today() - dt.timedelta(days=1))
    at.text_area(key="cr_description").input(SCRIPT)
    at.button(key="cr_submit").click().run()
    assert not at.exception and not at.error
    assert count(scored_copy, "competitor_reports") == before + 1
    with db.connect(scored_copy) as con:
        stored = con.execute(
            "select manager_id, account_id, kind::varchar, description from competitor_reports "
            "where report_id like 'R-%'"
        ).fetchall()
    assert stored == [(manager, account, "争抢", SCRIPT)]
    assert int(metric(at, "本月上报")) == shown_before + 1
    listed = at.dataframe[0].value
    assert SCRIPT in list(listed["description"])  # the raw text, as a table cell
    no_html(at)
    assert at.success and at.text_area(key="cr_description").value == ""  # the form is ready for the next one


def test_an_invalid_report_writes_nothing_and_shows_errors_beside_the_fields(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/competitor_reports.py")
    before = count(scored_copy, "competitor_reports")
    at.selectbox(key="cr_kind").set_value("争抢")  # urgent, but no account named
    at.text_area(key="cr_description").input("电信降价")
    at.button(key="cr_submit").click().run()
    assert not at.exception
    assert count(scored_copy, "competitor_reports") == before
    assert [e.value for e in column_of(at, "selectbox", "cr_manager").error] == ["必填项"]
    assert [e.value for e in column_of(at, "selectbox", "cr_competitor").error] == ["必填项"]
    assert [e.value for e in column_of(at, "selectbox", "cr_account").error] == ["争抢信息须注明被争抢的集团客户"]
    assert column_of(at, "selectbox", "cr_kind").error.len == 0
    assert at.text_area(key="cr_description").value == "电信降价"  # what was typed stays
    at.session_state["lang"] = "en"
    at.run()
    assert [e.value for e in column_of(at, "selectbox", "cr_account").error] == [
        "A poaching report must name the account targeted"
    ]


def test_an_interview_gets_needs_from_its_notes_and_counts_at_once(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/interviews.py")
    at.selectbox(key="interviews_period").set_value(this_month())  # today's interview counts this month
    at.toggle(key="interviews_only_under").set_value(False).run()  # every account, not only those under quota
    before = count(scored_copy, "interactions")
    account = at.selectbox(key="iv_account").options[0].split(" ")[0]
    visits_before = at.dataframe[0].value.set_index("account_id").loc[account, "visit_count"]
    at.selectbox(key="iv_account").set_value(account)
    at.selectbox(key="iv_channel").set_value("上门")
    at.selectbox(key="iv_role").set_value("决策人")
    at.text_area(key="iv_notes").input(SCRIPT).run()
    assert at.multiselect(key="iv_needs").value == ["production_control"]  # suggested from the notes
    at.multiselect(key="iv_needs").select("mobile_office").run()  # the manager adds one by hand
    at.button(key="iv_save").click().run()
    assert not at.exception and not at.error
    assert count(scored_copy, "interactions") == before + 1
    with db.connect(scored_copy) as con:
        row = con.execute(
            "select account_id, notes, needs_found::varchar[] from interactions where interaction_id like 'I-%'"
        ).fetchone()
    assert row == (account, SCRIPT, ["mobile_office", "production_control"])
    recent = at.dataframe[-1].value
    assert list(recent["notes"])[0] == SCRIPT and list(recent["needs_found"])[0] == "移动办公、生产控制"
    visits = at.dataframe[0].value.set_index("account_id")
    assert visits.loc[account, "visit_count"] == visits_before + 1
    no_html(at)
    assert at.text_area(key="iv_notes").value == "" and at.multiselect(key="iv_needs").value == []
    at.session_state["f_districts"] = ["崇明"]  # the sidebar's filters narrow the lists
    at.run()
    narrowed = at.dataframe[0].value
    assert set(narrowed["district"]) == {"崇明"} and len(narrowed) < len(visits)


def test_without_a_notes_model_the_manager_picks_the_needs(scored_copy, monkeypatch):
    # (Deleting the model file would not do: the frame retrains a warehouse whose models are missing.)
    monkeypatch.setattr(daily_work, "load_notes_model", lambda path: None)
    at = open_page(scored_copy, monkeypatch, "pages/interviews.py")
    assert any(c.value == "尚未训练走访纪要模型，请手动选择需求。" for c in at.caption)
    at.text_area(key="iv_notes").input("客户想装千里眼视频监控").run()
    assert at.multiselect(key="iv_needs").value == []
    at.button(key="iv_save").click().run()
    assert [e.value for e in column_of(at, "selectbox", "iv_account").error] == ["必填项"]
    assert [e.value for e in column_of(at, "selectbox", "iv_channel").error] == ["必填项"]


def test_a_retention_action_is_recorded_updated_and_counted(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/retention.py")
    without_before = int(metric(at, "未采取措施"))
    at_risk = at.dataframe[0].value
    target = at_risk.loc[~at_risk["has_action"], "account_id"].iloc[0]
    at.selectbox(key="ra_account").set_value(target)
    at.selectbox(key="ra_kind").set_value("visit")
    at.text_area(key="ra_action").input("上门拜访决策人，提供专线优惠")
    at.button(key="ra_submit").click().run()
    assert not at.exception and not at.error
    assert count(scored_copy, "retention_actions") == 1
    assert int(metric(at, "未采取措施")) == without_before - 1
    # the training report measured every kind's effect: it stands in place of the success rate
    assert metric(at, "已测出效果的措施").endswith("/ 5")
    assert not [m for m in at.metric if m.label.startswith("挽留成功率")]
    action_id = at.selectbox(key="ru_action").options[0]
    assert action_id  # the new action is offered for an update
    at.selectbox(key="ru_action").select_index(0)
    at.selectbox(key="ru_status").set_value("已完成")
    at.button(key="ru_submit").click().run()
    assert [e.value for e in column_of(at, "selectbox", "ru_outcome").error] == ["状态为“已完成”时须填写挽留结果"]
    with db.connect(scored_copy) as con:
        assert con.execute("select status::varchar from retention_actions").fetchone()[0] == "计划"
    at.selectbox(key="ru_action").select_index(0)
    at.selectbox(key="ru_status").set_value("已完成")
    at.selectbox(key="ru_outcome").set_value("挽留成功")
    at.button(key="ru_submit").click().run()
    assert not at.exception and not at.error
    with db.connect(scored_copy) as con:
        assert con.execute("select status::varchar, outcome::varchar from retention_actions").fetchone() == (
            "已完成",
            "挽留成功",
        )
    assert metric(at, "已测出效果的措施").endswith("/ 5")


def test_the_compliance_page_shows_the_review_of_the_month(scored_copy, monkeypatch):
    at = open_page(scored_copy, monkeypatch, "pages/compliance.py")
    with db.connect(scored_copy) as con:
        month = con.execute("select max(as_of_month) from scores").fetchone()[0]  # the sidebar's default month
        as_of = min(month_end(month), dt.date.today())
        s = compliance.summary(con, as_of, None, rules.load())
    assert str(as_of) in at.caption[0].value
    assert metric(at, "基本资料逾期") == f"{s.profile_overdue_basic:,}"
    assert metric(at, "个性化资料逾期") == f"{s.profile_overdue_personal:,}"
    assert metric(at, "未报竞争信息经理") == f"{s.managers_without_report:,} / {s.managers:,}"
    assert metric(at, "争抢信息超时上报") == f"{s.late_urgent:,} / {s.urgent_reports:,}"
    assert metric(at, "服务次数未达标") == f"{s.visits_under_quota:,}"
    assert metric(at, "高风险客户未挽留") == f"{s.at_risk_without_action:,} / {s.at_risk:,}"
    managers = at.dataframe[0].value
    assert len(managers) == s.managers and managers["basic_overdue"].sum() == s.profile_overdue_basic

    at.button_group(key="compliance_section").set_value("profiles").run()
    assert len(at.dataframe[0].value) == s.profile_overdue_basic  # the overdue list itself
    at.button_group(key="compliance_section").set_value("trend").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    at.button_group(key="compliance_section").set_value("managers").run()

    district = managers["district"].iloc[0]
    at.session_state["f_districts"] = [district]
    at.run()
    assert not at.exception
    narrowed = at.dataframe[0].value
    assert set(narrowed["district"]) == {district} and len(narrowed) < len(managers)
    assert int(metric(at, "服务次数未达标")) == narrowed["under_quota"].sum() < s.visits_under_quota

    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and at.title[0].value == "Rule compliance"
    assert "Basic profiles overdue" in [m.label for m in at.metric]


# ---- the month the daily-work pages open on ------------------------------------------------------


def test_the_period_is_the_sidebar_s_month_with_this_calendar_month_offered():
    from analytics.views.daily_work import period

    data = [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 8, 1)]
    today = dt.date(2026, 12, 2)
    assert period.period_months(data, today) == [dt.date(2026, 12, 1), *sorted(data, reverse=True)]
    assert period.period_months([*data, dt.date(2026, 12, 1)], today)[0] == dt.date(2026, 12, 1)  # once
    assert period.default_period(dt.date(2026, 9, 1), data, today) == dt.date(2026, 9, 1)  # the sidebar's
    assert period.default_period(None, data, today) == dt.date(2026, 10, 1)  # else the data's latest
    assert period.default_period(None, [], today) == dt.date(2026, 12, 1)  # else the calendar's
    assert period.as_of_for(dt.date(2026, 10, 1), today) == dt.date(2026, 10, 31)
    assert period.as_of_for(dt.date(2026, 12, 1), today) == today  # the running month: today


def test_clock_is_china_s_whatever_the_server_s_zone():
    shanghai = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    assert clock.today() in (shanghai.date(), (shanghai - dt.timedelta(seconds=5)).date())
    assert abs(clock.now() - shanghai.replace(tzinfo=None)) < dt.timedelta(seconds=5)
    assert clock.now().tzinfo is None  # as the warehouse stores times


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("pages/competitor_reports.py", "reports_period"),
        ("pages/interviews.py", "interviews_period"),
        ("pages/retention.py", "retention_period"),
    ],
)
def test_a_daily_work_page_opens_on_the_month_the_sidebar_shows(scored_path, monkeypatch, page, key):
    with db.connect(scored_path) as con:
        latest = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        scored = con.execute("select max(as_of_month) from scores").fetchone()[0]
    assert latest == scored  # the demo scores its latest month, the sidebar's default
    today = dt.date(2026, 12, 2)
    monkeypatch.setattr(clock, "today", lambda: today)  # the calendar is two months ahead of the data
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 2, 9, 35))
    at = open_page(scored_path, monkeypatch, page)
    assert at.selectbox(key="f_month").value == latest
    picker = at.selectbox(key=key)
    assert picker.value == latest  # not the calendar's (empty) month
    assert picker.options[0] == "2026-12"  # which stays one click away, for what is recorded today
    captions = " ".join(c.value for c in at.caption)
    assert (f"{latest:%Y-%m}" if page.endswith("retention.py") else str(month_end(latest))) in captions
    if page.endswith("competitor_reports.py"):
        with db.connect(scored_path) as con:
            managers = compliance.report_managers(con, month_end(latest), None, rules.load())
        assert metric(at, "未上报的客户经理") == f"{(~managers['has_enough_reports']).sum():,} / {len(managers):,}"
        assert (~managers["has_enough_reports"]).sum() < len(managers) / 2  # the data's month has its reports
    if page.endswith("interviews.py"):  # the form still records today's work, at China's time
        assert at.date_input(key="iv_date").value == today
        assert at.time_input(key="iv_time").value == dt.time(9, 35)
    if page.endswith("competitor_reports.py"):
        assert at.date_input(key="cr_observed_on").value == today
        assert at.time_input(key="cr_observed_time").value == dt.time(9, 35)
    # A month picked in the sidebar is the month the page opens on.
    earlier = add_months(latest, -1)
    fresh = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    fresh.run()
    fresh.session_state["f_month"] = earlier
    fresh.switch_page(page)
    fresh.run()
    assert not fresh.exception and fresh.selectbox(key=key).value == earlier
