"""The manager's agenda (我的待办) on a small hand-made warehouse: items appear when the rules say
they are due (a profile due in three days, an opportunity's step of yesterday, one stalled) and not
otherwise (a profile updated yesterday); the .ics file of the week (RFC 5545 lines, folding, CRLF,
escaping); the page as the managers' landing page (AppTest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest import offered_downloads, signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import auth, pages
from analytics.views import agenda
from analytics.warehouse import build, db

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat
TODAY = D("2026-11-04")  # a Wednesday: the week ends on Sunday 11-08
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def con(empty_con):
    build.build(empty_con, test=False)
    db.ensure_pipeline_tables(empty_con)
    empty_con.execute(
        "insert into managers (manager_id, manager_name, district, team) values ('M1', '经理甲', '浦东', 'T1'),"
        " ('M2', '经理乙', '浦东', 'T1')"
    )
    return empty_con


def add_account(con, account_id: str, manager: str = "M1", agreement: str | None = None) -> None:
    con.execute(
        "insert into accounts values (?, ?, '制造业', '浦东', 'C', false, ?, 100, '民营企业', '2020-01-01', ?, null,"
        " '在网', null, null)",
        [account_id, f"集团{account_id}", manager, D(agreement) if agreement else None],
    )


def add_update(con, account_id: str, kind: str, at: str) -> None:
    update_id = f"U-{account_id}-{kind}-{at}"
    con.execute("insert into profile_updates values (?, ?, ?, ?, 'M1')", [update_id, account_id, kind, T(at)])


def add_visit(con, account_id: str, at: str) -> None:
    con.execute(
        "insert into interactions values (?, ?, 'M1', ?, '上门', '决策人', '走访', [])",
        [f"I-{account_id}-{at}", account_id, T(at)],
    )


def add_opportunity(
    con, oid: str, account_id: str, created: str, next_step_on: str, step: str = "上门沟通方案"
) -> None:
    con.execute(
        "insert into opportunities (opportunity_id, account_id, area, product_ids, expected_monthly_yuan,"
        " expected_one_off_yuan, expected_close_month, owner_id, stage, next_step, next_step_on, source,"
        " created_at, updated_at) values (?, ?, 'basic_comm', [], 100, 0, '2027-01-01', 'M1', '需求确认', ?, ?,"
        " 'list', ?, ?)",
        [oid, account_id, step, D(next_step_on), T(created), T(created)],
    )
    con.execute(
        "insert into opportunity_stage_changes values (?, ?, null, '需求确认', ?, 'M1')", [f"C{oid}", oid, T(created)]
    )


def add_retention(con, action_id: str, account_id: str, action: str, due: str) -> None:
    con.execute(
        "insert into retention_actions (action_id, account_id, owner_id, action, status, created_at, due_on)"
        " values (?, ?, 'M1', ?, '进行中', '2026-10-01 09:00', ?)",
        [action_id, account_id, action, D(due)],
    )


def kept_fresh(con, account_id: str) -> None:
    """Profiles updated and a visit made yesterday: nothing of the rules is due for weeks."""
    for kind in ("basic", "personal"):
        add_update(con, account_id, kind, "2026-11-03 10:00")
    add_visit(con, account_id, "2026-11-03 15:00")


def by_kind(found, kind: str) -> dict[str, agenda.Item]:
    return {i.account_id: i for i in found if i.kind == kind}


def test_a_profile_due_in_three_days_appears_and_one_updated_yesterday_does_not(con, the_rules):
    add_account(con, "soon")
    add_account(con, "fresh")
    add_account(con, "other", manager="M2")  # another manager's account: not on M1's agenda
    add_update(con, "soon", "basic", "2026-08-07 09:00")  # C: every 3 months → due 11-07
    add_update(con, "soon", "personal", "2026-11-03 10:00")
    add_visit(con, "soon", "2026-11-03 15:00")
    kept_fresh(con, "fresh")
    found = agenda.items(con, "M1", TODAY, the_rules)
    basic = by_kind(found, "profile_basic")
    assert set(basic) == {"soon"}
    assert basic["soon"].due_on == D("2026-11-07")
    assert agenda.status_of(basic["soon"].due_on, TODAY) == "week"
    assert not by_kind(found, "profile_personal")  # both updated yesterday
    assert all(i.account_id != "other" for i in found)
    table = agenda.frame(found, TODAY)
    row = table[table["kind"] == "profile_basic"].iloc[0]
    assert row["item_link"] == "/account?account=soon"
    assert row["status"] == "week"
    # the same account judged after its due day is overdue
    late = by_kind(agenda.items(con, "M1", D("2026-11-09"), the_rules), "profile_basic")
    assert agenda.status_of(late["soon"].due_on, D("2026-11-09")) == "overdue"


def test_opportunities_next_step_of_yesterday_is_overdue_and_a_stalled_one_appears(con, the_rules):
    add_account(con, "a")
    add_account(con, "b")
    kept_fresh(con, "a")
    kept_fresh(con, "b")
    add_opportunity(con, "O1", "a", "2026-11-01 09:00", "2026-11-03")  # next step yesterday
    add_opportunity(con, "O2", "b", "2026-09-01 09:00", "2026-12-30")  # 64 days in its stage (≥ 30)
    found = agenda.items(con, "M1", TODAY, the_rules)
    steps, stalled = by_kind(found, "next_step"), by_kind(found, "stalled")
    assert set(steps) == {"a"} and agenda.status_of(steps["a"].due_on, TODAY) == "overdue"
    assert "上门沟通方案" in steps["a"].todo
    assert set(stalled) == {"b"}  # O1 moved 3 days ago: not stalled
    assert stalled["b"].due_on == D("2026-10-01") and "64" in stalled["b"].todo
    # closed: neither is on the agenda any more
    con.execute("update opportunities set stage = '签约', open_key = null")
    found = agenda.items(con, "M1", TODAY, the_rules)
    assert not by_kind(found, "next_step") and not by_kind(found, "stalled")


def test_visits_reports_retention_and_agreements(con, the_rules):
    add_account(con, "v", agreement="2027-01-15")
    add_account(con, "w", agreement="2027-06-01")  # beyond 90 days
    kept_fresh(con, "w")
    for kind in ("basic", "personal"):
        add_update(con, "v", kind, "2026-11-03 10:00")
    add_visit(con, "v", "2026-08-06 10:00")  # C: 1 in 3 months → counts up to 11-05, due 11-06
    add_retention(con, "R1", "w", "上门拜访", "2026-11-05")
    found = agenda.items(con, "M1", TODAY, the_rules)
    assert by_kind(found, "visit")["v"].due_on == D("2026-11-06") and set(by_kind(found, "visit")) == {"v"}
    assert set(by_kind(found, "agreement")) == {"v"}
    assert by_kind(found, "retention")["w"].due_on == D("2026-11-05")
    reports = [i for i in found if i.kind == "report"]  # no competitor report filed this month
    assert len(reports) == 1 and reports[0].due_on == D("2026-11-30")
    con.execute(
        "insert into competitor_reports values ('R0', 'M1', null, '中国电信', '资费', '2026-11-02 09:00',"
        " '2026-11-02 10:00', '降价')"
    )
    assert not [i for i in agenda.items(con, "M1", TODAY, the_rules) if i.kind == "report"]


def unfolded(ics: bytes) -> list[str]:
    text = ics.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)  # CRLF only
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)  # folded at 75 octets
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def test_the_calendar_file_holds_the_weeks_items_escaped_and_folded(con, the_rules):
    add_account(con, "a", agreement="2027-01-15")  # due later: not in the week's file
    kept_fresh(con, "a")
    long_action = "上门拜访，带续约方案, 谈价格; 第二行\n" + "再确认决策人的意见和预算安排" * 4
    add_retention(con, "R1", "a", long_action, "2026-11-06")
    add_opportunity(con, "O1", "a", "2026-11-01 09:00", "2026-11-02", step="送方案,约时间")  # overdue: on today
    found = agenda.items(con, "M1", TODAY, the_rules)
    week = agenda.this_week(found, TODAY)
    assert {i.kind for i in week} == {"retention", "next_step"}  # the report is due 11-30: later
    now = dt.datetime(2026, 11, 4, 1, 2, 3, tzinfo=dt.UTC)
    ics = agenda.ics_bytes(found, "M1", TODAY, now, "zh")
    lines = unfolded(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert any(len(line.encode()) > 75 for line in lines)  # the long one was indeed folded
    events = " ".join(lines).split("BEGIN:VEVENT")[1:]
    assert len(events) == len(week) == lines.count("END:VEVENT")
    uids = [line[4:] for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(week)
    assert uids == [line[4:] for line in unfolded(agenda.ics_bytes(found, "M1", TODAY, now, "en")) if "UID:" in line]
    assert lines.count("DTSTAMP:20261104T010203Z") == len(week)
    assert "DTSTART;VALUE=DATE:20261104" in lines  # the overdue step, on today
    assert "DTSTART;VALUE=DATE:20261106" in lines and "DTEND;VALUE=DATE:20261107" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:") and "续约方案" in line)
    assert "带续约方案\\, 谈价格\\; 第二行\\n再确认" in description
    assert description.endswith("\\n/retention?account=a")
    summary = next(line for line in lines if line.startswith("SUMMARY:") and "商机" in line)
    assert summary == "SUMMARY:商机下一步: 集团a"
    assert any("送方案\\,约时间" in line for line in lines)
    assert agenda.ics_escape("a\\b") == "a\\\\b"


def test_the_excel_file_lists_every_item(con, the_rules):
    import io

    import pandas as pd

    add_account(con, "a", agreement="2027-01-15")
    kept_fresh(con, "a")
    add_opportunity(con, "O1", "a", "2026-11-01 09:00", "2026-11-05", step="=1+1")  # typed by a user
    found = agenda.items(con, "M1", TODAY, the_rules)
    sheet = pd.read_excel(io.BytesIO(agenda.excel_bytes(agenda.frame(found, TODAY), "zh")))
    assert len(sheet) == len(found) and "待办事项" in sheet.columns
    assert set(sheet["类别"]) == {"协议到期", "竞争信息报告", "商机下一步"}
    assert set(sheet["状态"]) == {"本周", "稍后"}
    # the step was text in a sentence; a bare formula typed as the account's name would be quoted
    raw = agenda.frame(found, TODAY).assign(account_name="=cmd()")
    sheet = pd.read_excel(io.BytesIO(agenda.excel_bytes(raw, "en")))
    assert set(sheet["Account"]) == {"'=cmd()"}


def test_the_agenda_is_the_managers_landing_page_and_not_the_heads():
    assert pages.for_role("manager")[0].name == "agenda"
    assert pages.landing("manager").name == "agenda"
    assert pages.landing("head").name == "portfolio"
    assert pages.may_open("head", "agenda") and not pages.may_open("analyst", "agenda")


def test_the_page_opens_for_the_manager_and_lists_items(scored_copy: Path, monkeypatch: pytest.MonkeyPatch):
    with db.connect(scored_copy) as con:
        user = auth.current(con, auth.User("manager", "", "manager"))
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_copy))
    offered = offered_downloads(monkeypatch)
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
    at.run()  # the root URL: the landing page
    assert not at.exception, at.exception
    assert at.title[0].value == "我的待办"
    assert at.selectbox(key="agenda_manager").value == user.manager_id
    shown = at.dataframe[0].value
    assert len(shown) > 0 and shown["item_link"].str.startswith("/").all()
    assert {"逾期", "今天", "本周", "稍后"} >= set(shown["status"])
    names = sorted(offered)
    assert [n.rsplit(".", 1)[-1] for n in names] == ["ics", "xlsx"]
    ics = offered[names[0]]().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.count("BEGIN:VEVENT") == ((shown["status"] != "稍后").sum())


def test_what_is_due_now_is_listed_by_urgency_not_by_age():
    """An account at risk today comes before a year of overdue routine visits; an overdue deal's
    next step before an overdue profile; within a kind the oldest first; this week after now."""

    def item(kind: str, due: str, account: str) -> agenda.Item:
        return agenda.Item(kind, account, f"集团{account}", "…", D(due), "account", due)

    found = [
        item("visit", "2025-02-13", "A1"),
        item("profile_basic", "2026-10-01", "A2"),
        item("visit", "2025-06-01", "A3"),
        item("visit", "2026-11-06", "A4"),  # this week
        item("at_risk", "2026-11-04", "A5"),  # today
        item("next_step", "2026-11-01", "A6"),
    ]
    listed = [i.account_id for i in agenda.ordered(found, TODAY)]
    assert listed == ["A5", "A6", "A1", "A3", "A2", "A4"]
