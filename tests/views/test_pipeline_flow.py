"""The pipeline in the browser (AppTest): a manager creates an opportunity in one step from an
account's opportunity card, downloads the proposal (recorded against it), and on 我的商机's
follow-up moves it a stage and closes it as 签约 — each step written, audited and shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import offered_downloads, signed_in
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.common import i18n
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


def one(path: Path, query: str, params: list | None = None):
    with db.connect(path) as con:
        return con.execute(query, params or []).fetchone()


def test_from_the_account_card_to_signed(scored_copy: Path, monkeypatch: pytest.MonkeyPatch):
    with db.connect(scored_copy) as con:
        user = auth.current(con, auth.User("manager", "", "manager"))  # the demo's manager
    manager_id = user.manager_id
    account_id, area = one(
        scored_copy,
        """
        select r.account_id, r.area from score_recommendations r join accounts a using (account_id)
        where r.as_of_month = (select max(as_of_month) from scores) and a.status = '在网' and a.manager_id = ?
            and a.account_id not in (select account_id from opportunities)  -- none in the demo's pipeline yet
        order by r.expected_value_yuan desc, r.account_id limit 1
        """,
        [manager_id],
    )
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_copy))
    offered = offered_downloads(monkeypatch)
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
    at.run()
    at.query_params["account"] = account_id
    at.switch_page("pages/account.py")
    at.run()
    assert not at.exception, at.exception

    at.button(key=f"pl_start_{area}").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="pl_step").value  # prefilled: a first next step …
    assert at.selectbox(key="pl_area").value == area  # … the card's area …
    assert at.multiselect(key="pl_products").value  # … and its recommended products
    at.button(key="pl_create").click().run()
    assert not at.exception, at.exception
    oid, stage, source, owner = one(
        scored_copy,
        "select opportunity_id, stage, source, owner_id from opportunities where account_id = ?",
        [account_id],
    )
    assert (stage, source, owner) == ("需求确认", "card", manager_id)
    assert any(oid.split("-")[1] in s.value for s in at.success)  # the new id said (as text)
    assert not [b for b in at.button if b.key == f"pl_start_{area}"]  # the card now says it is in the pipeline
    assert any("需求确认" in c.value for c in at.caption)

    proposal = next(name for name in offered if name.endswith(".docx") and "brief" not in name and "简报" not in name)
    offered[proposal]()  # the click writes the file: recorded against the open opportunity
    assert one(
        scored_copy, "select count(*), max(file_name) from opportunity_proposals where opportunity_id = ?", [oid]
    ) == (
        1,
        proposal,
    )

    at.switch_page("pages/opportunities.py")
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="pf_pick").set_value(oid).run()  # among the manager's open ones (the demo's too)
    assert at.selectbox(key="pf_pick").value == oid
    at.selectbox(key="pf_stage").set_value("方案制定")
    at.button(key="pf_move").click().run()
    assert not at.exception, at.exception
    assert one(scored_copy, "select stage, version from opportunities where opportunity_id = ?", [oid]) == (
        "方案制定",
        2,
    )
    at.radio(key="pf_outcome").set_value("签约")
    at.button(key="pf_close_button").click().run()
    assert not at.exception, at.exception
    assert one(scored_copy, "select stage, version from opportunities where opportunity_id = ?", [oid]) == ("签约", 3)
    stages = one(
        scored_copy,
        "select list(to_stage order by rowid) from opportunity_stage_changes where opportunity_id = ?",
        [oid],
    )[0]
    assert stages == ["需求确认", "方案制定", "签约"]
    audited = one(
        scored_copy,
        "select count(*) from audit_log where action = 'change' and object = ? and username = ?",
        [f"opportunity {oid}", user.username],
    )[0]
    assert audited == 4  # created, proposal sent, stage moved, closed
    assert any("商机已关闭" in s.value for s in at.success)


def test_from_a_need_voiced_in_an_interview(scored_copy: Path, monkeypatch: pytest.MonkeyPatch):
    import datetime as dt

    from analytics.views.daily_work import records

    with db.connect(scored_copy) as con:
        user = auth.current(con, auth.User("manager", "", "manager"))
        account_id, name = con.execute(
            "select account_id, account_name from accounts where manager_id = ? and status = '在网' "
            "and account_id not in (select account_id from opportunities) order by account_id limit 1",
            [user.manager_id],
        ).fetchone()
        latest = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
        when = min(dt.datetime.combine(latest, dt.time(10)) + dt.timedelta(days=9), records._now(None))
        values = {"account_id": account_id, "occurred_at": when, "channel": "上门", "contact_role": "决策人"}
        values |= {"notes": "客户想装视频监控", "needs_found": ["production_control"]}
        records.record_interaction(con, values)
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_copy))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
    at.run()
    at.switch_page("pages/interviews.py")
    at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key="pl_need_pick")
    area_label = i18n.label("area", "production_control")
    index = next(i for i, o in enumerate(box.options) if name in o and area_label in o)
    box.select_index(index).run()
    at.button(key="pl_start_need").click().run()
    assert at.selectbox(key="pl_area").value == "production_control"
    at.button(key="pl_create").click().run()
    assert not at.exception, at.exception
    assert one(scored_copy, "select source, area::varchar from opportunities where account_id = ?", [account_id]) == (
        "interview",
        "production_control",
    )
