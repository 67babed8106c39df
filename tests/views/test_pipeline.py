"""The pipeline's writes (商机, analytics/views/pipeline): validated field by field, scope enforced
by the view itself (a manager's session cannot reach another manager's account whatever it
sends), every change audited, a stale version refused, stage history and proposals recorded."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from analytics.access import auth
from analytics.common import rules
from analytics.views.pipeline import reads, writes
from analytics.views.pipeline.writes import ValidationError
from analytics.warehouse import db

NOW = dt.datetime(2026, 11, 20, 12, 0)
HEAD = auth.User("head", "部门负责人", "head")


@pytest.fixture()
def con(scored_copy):
    con = db.connect(scored_copy)
    yield con
    con.close()


@pytest.fixture()
def two_accounts(con):
    """(account_id, manager_id) of two accounts of two different managers in one district."""
    rows = con.execute(
        """
        select a.account_id, a.manager_id, m.district from accounts a join managers m using (manager_id)
        where a.status = '在网' and a.account_id not in (select account_id from opportunities)
            and m.district in (select district from managers group by district having count(*) > 1)
        order by m.district, a.manager_id, a.account_id
        """
    ).fetchall()
    first = rows[0]
    other = next(r for r in rows if r[2] == first[2] and r[1] != first[1])
    return first, other


def manager(manager_id: str) -> auth.User:
    return auth.User(f"u_{manager_id}", manager_id, "manager", manager_id)


def valid(account_id: str, **changes) -> dict:
    values = {
        "account_id": account_id,
        "area": "mobile_office",
        "product_ids": [],
        "expected_monthly_yuan": 1200,
        "expected_one_off_yuan": 0,
        "expected_close_month": "2027-02",
        "next_step": "约决策人沟通",
        "next_step_on": dt.date(2026, 11, 25),
        "source": "card",
    }
    return values | changes


def audit_rows(con, opportunity_id: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "select username, action, detail from audit_log where object = ? order by event_id",
        [f"opportunity {opportunity_id}"],
    ).fetchall()


def create(con, user, values) -> str:
    return writes.create_opportunity(con, user, values, now=NOW)


def test_a_manager_creates_an_opportunity_at_the_first_stage_audited_with_its_history(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    product = con.execute("select product_id from products where area = 'mobile_office' order by 1 limit 1").fetchone()
    oid = create(con, manager(manager_id), valid(account_id, product_ids=[product[0]]))
    row = con.execute(
        "select stage, owner_id, area::varchar, product_ids, expected_monthly_yuan, expected_close_month, version "
        "from opportunities where opportunity_id = ?",
        [oid],
    ).fetchone()
    assert row == ("需求确认", manager_id, "mobile_office", [product[0]], 1200, dt.date(2027, 2, 1), 1)
    history = reads.history(con, oid, (manager_id,))
    assert list(zip(history["from_stage"].fillna("-"), history["to_stage"], strict=True)) == [("-", "需求确认")]
    assert audit_rows(con, oid)[0][:2] == (f"u_{manager_id}", "change")
    # It is listed as open, and its area marks the account's card and products as in the pipeline.
    listed = reads.opportunities(con, (manager_id,))
    assert oid in set(listed["opportunity_id"])
    assert (account_id, "mobile_office") in reads.open_areas(listed)
    assert (account_id, product[0]) in reads.open_products(listed)


def test_bad_input_gets_one_problem_per_field_and_writes_nothing(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    before = con.execute("select count(*) from opportunities").fetchone()[0]
    bad = valid(
        account_id,
        area="no_such_area",
        expected_monthly_yuan="-5",
        expected_close_month="2025-01",
        next_step="  ",
        next_step_on=dt.date(2026, 11, 1),
    )
    with pytest.raises(ValidationError) as caught:
        create(con, manager(manager_id), bad)
    problems = caught.value.problems
    assert problems["area"].key == "forms.error.choice"
    assert problems["expected_monthly_yuan"].key == "forms.error.not_negative"
    assert problems["expected_close_month"].key == "forms.error.month_past"
    assert problems["next_step"].key == "forms.error.required"
    assert problems["next_step_on"].key == "forms.error.past_due"
    with pytest.raises(ValidationError) as caught:
        create(con, manager(manager_id), valid(account_id, expected_monthly_yuan=0, product_ids=["NOPE"]))
    assert caught.value.problems["expected_monthly_yuan"].key == "forms.error.value_needed"
    assert caught.value.problems["product_ids"].key == "forms.error.unknown_product"
    other_area = con.execute("select product_id from products where area = 'basic_comm' limit 1").fetchone()[0]
    with pytest.raises(ValidationError) as caught:
        create(con, manager(manager_id), valid(account_id, product_ids=[other_area]))
    assert caught.value.problems["product_ids"].key == "forms.error.product_area"
    assert con.execute("select count(*) from opportunities").fetchone()[0] == before
    assert "不能为负" in caught.value.messages("zh").get("product_ids", "") or caught.value.messages("en")


def test_a_second_open_opportunity_of_the_same_account_and_area_is_refused(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    first = create(con, manager(manager_id), valid(account_id))
    with pytest.raises(ValidationError) as caught:
        create(con, manager(manager_id), valid(account_id))
    assert caught.value.problems["area"] == writes.Problem("forms.error.already_open", {"id": first})
    create(con, manager(manager_id), valid(account_id, area="basic_comm"))  # another area is fine


def test_a_manager_cannot_touch_another_managers_account_whatever_the_session_sends(con, two_accounts):
    (account_id, manager_id, district), (other_account, other_manager, _) = two_accounts
    hostile = manager(manager_id)
    # Create on someone else's account, or name someone else as owner: refused as unknown.
    with pytest.raises(ValidationError) as caught:
        create(con, hostile, valid(other_account))
    assert caught.value.problems["account_id"].key == "forms.error.unknown_account"
    with pytest.raises(ValidationError) as caught:
        create(con, hostile, valid(account_id, owner_id=other_manager))
    assert caught.value.problems["owner_id"].key == "forms.error.unknown_manager"
    # The other manager's opportunity: not movable, not closable, no proposal recorded on it.
    theirs = create(con, manager(other_manager), valid(other_account))
    for change in (writes.move_stage, writes.close_opportunity, writes.update_next_step):
        with pytest.raises(ValidationError) as caught:
            change(
                con, hostile, {"opportunity_id": theirs, "version": 1, "stage": "方案制定", "outcome": "签约"}, now=NOW
            )
        assert caught.value.problems["opportunity_id"].key == "forms.error.unknown_opportunity"
    assert writes.record_proposal(con, hostile, other_account, language="zh", file_name="x.docx", data=b"x") == []
    assert reads.history(con, theirs, (manager_id,)).empty
    assert theirs not in set(reads.opportunities(con, (manager_id,))["opportunity_id"])
    assert con.execute("select stage, version from opportunities where opportunity_id = ?", [theirs]).fetchone() == (
        "需求确认",
        1,
    )
    # A district head reaches both managers' accounts; an analyst writes none.
    district_head = auth.User("dh", "区县负责人", "head", None, district)
    writes.move_stage(con, district_head, {"opportunity_id": theirs, "version": 1, "stage": "方案制定"}, now=NOW)
    with pytest.raises(writes.NotAllowed):
        create(con, auth.User("an", "分析", "analyst"), valid(account_id, area="basic_comm"))


def test_stages_move_and_a_stale_version_is_refused_without_overwriting(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    user = manager(manager_id)
    oid = create(con, user, valid(account_id))
    version = writes.move_stage(con, user, {"opportunity_id": oid, "version": 1, "stage": "方案制定"}, now=NOW)
    assert version == 2
    # Another session still holding version 1 tries to set the next step: refused, nothing changed.
    with pytest.raises(ValidationError) as caught:
        writes.update_next_step(
            con, user, {"opportunity_id": oid, "version": 1, "next_step": "旧的", "next_step_on": "2026-12-01"}, now=NOW
        )
    assert caught.value.problems == {"version": writes.Problem("forms.error.stale")}
    assert "someone else changed" in caught.value.messages("en")["version"].lower()
    step = {"opportunity_id": oid, "version": 2, "next_step": "提交方案", "next_step_on": "2026-12-01"}
    assert writes.update_next_step(con, user, step, now=NOW) == 3
    with pytest.raises(ValidationError) as caught:
        writes.move_stage(con, user, {"opportunity_id": oid, "version": 3, "stage": "方案制定"}, now=NOW)
    assert caught.value.problems["stage"].key == "forms.error.same_stage"
    writes.move_stage(con, user, {"opportunity_id": oid, "version": 3, "stage": "商务谈判"}, now=NOW)
    row = con.execute("select stage, next_step, version from opportunities where opportunity_id = ?", [oid]).fetchone()
    assert row == ("商务谈判", "提交方案", 4)
    history = reads.history(con, oid, None)
    assert list(history["to_stage"]) == ["需求确认", "方案制定", "商务谈判"]
    assert list(history["from_stage"].fillna("-")) == ["-", "需求确认", "方案制定"]
    details = [detail for _, _, detail in audit_rows(con, oid)]
    assert len(details) == 4 and "需求确认 → 方案制定" in details[1] and details[2].startswith("next step")


def test_concurrent_changes_on_one_version_one_wins_the_others_are_told(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    user = manager(manager_id)
    oid = create(con, user, valid(account_id))
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def body(k: int) -> None:
        start.wait()
        stage = ("方案制定", "方案提交", "商务谈判")[k % 3]
        try:
            writes.move_stage(con, user, {"opportunity_id": oid, "version": 1, "stage": stage}, now=NOW)
            result = "won"
        except ValidationError as err:
            result = err.problems["version"].key
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=body, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["forms.error.stale"] * 5 + ["won"]
    assert con.execute("select version from opportunities where opportunity_id = ?", [oid]).fetchone()[0] == 2
    assert len(reads.history(con, oid, None)) == 2  # creation and the one change that won


def test_sessions_opening_the_same_area_at_once_make_one_opportunity(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    user = manager(manager_id)
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def body(k: int) -> None:
        start.wait()
        try:
            create(con, user, valid(account_id, next_step=f"session {k}"))
            result = "made"
        except ValidationError as err:
            result = err.problems["area"].key
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=body, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["forms.error.already_open"] * 5 + ["made"]
    assert con.execute("select count(*) from opportunities where account_id = ?", [account_id]).fetchone()[0] == 1


def test_closing_needs_a_reason_and_the_competitor_when_lost_to_one(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    user = manager(manager_id)
    oid = create(con, user, valid(account_id))
    base = {"opportunity_id": oid, "version": 1}
    with pytest.raises(ValidationError) as caught:
        writes.close_opportunity(con, user, base | {"outcome": "未成交"}, now=NOW)
    assert caught.value.problems["lost_reason"].key == "forms.error.lost_needs_reason"
    with pytest.raises(ValidationError) as caught:
        writes.close_opportunity(con, user, base | {"outcome": "未成交", "lost_reason": "竞争对手"}, now=NOW)
    assert caught.value.problems["lost_competitor"].key == "forms.error.lost_needs_competitor"
    with pytest.raises(ValidationError) as caught:
        writes.close_opportunity(con, user, base | {"outcome": "签约", "lost_reason": "价格"}, now=NOW)
    assert caught.value.problems["lost_reason"].key == "forms.error.reason_needs_lost"
    lost = base | {"outcome": "未成交", "lost_reason": "竞争对手", "lost_competitor": "中国电信"}
    assert writes.close_opportunity(con, user, lost, now=NOW) == 2
    row = con.execute(
        "select stage, lost_reason, lost_competitor::varchar, closed_at from opportunities where opportunity_id = ?",
        [oid],
    ).fetchone()
    assert row == ("未成交", "竞争对手", "中国电信", NOW)
    with pytest.raises(ValidationError) as caught:  # closed: no more changes
        writes.move_stage(con, user, {"opportunity_id": oid, "version": 2, "stage": "方案制定"}, now=NOW)
    assert caught.value.problems["opportunity_id"].key == "forms.error.already_closed"
    assert oid not in set(reads.opportunities(con, None)["opportunity_id"])
    # The area is free again for a new opportunity.
    create(con, user, valid(account_id))


def test_a_proposal_downloaded_is_recorded_against_the_accounts_open_opportunities(con, two_accounts):
    (account_id, manager_id, _), _ = two_accounts
    user = manager(manager_id)
    assert writes.record_proposal(con, user, account_id, language="zh", file_name="a.docx", data=b"x", now=NOW) == []
    oid = create(con, user, valid(account_id))
    made = writes.record_proposal(
        con, user, account_id, language="en", file_name="proposal_A.docx", data=b"docx bytes", now=NOW
    )
    assert len(made) == 1
    row = con.execute(
        "select opportunity_id, sent_by, language, file_name, sha256 from opportunity_proposals where proposal_id = ?",
        made,
    ).fetchone()
    import hashlib

    assert row == (oid, user.username, "en", "proposal_A.docx", hashlib.sha256(b"docx bytes").hexdigest())
    assert reads.opportunities(con, (manager_id,)).set_index("opportunity_id").loc[oid, "proposal_count"] == 1
    assert "proposal sent: proposal_A.docx" in audit_rows(con, oid)[-1][2]


def test_an_old_warehouse_gains_the_pipeline_tables_and_stages_come_from_the_rules(con, tmp_path):
    for table in reversed(db.PIPELINE_TABLES):
        con.execute(f"drop table {table}")
    assert not set(db.PIPELINE_TABLES) & db.existing_tables(con)
    assert reads.opportunities(con, None).empty  # a read creates them
    assert set(db.PIPELINE_TABLES) <= db.existing_tables(con)
    custom = tmp_path / "rules.toml"
    text = rules.DEFAULT_RULES.read_text(encoding="utf-8")
    custom.write_text(
        text.replace(
            'stages = ["需求确认", "方案制定", "方案提交", "商务谈判"]', 'stages = ["初步接触", "报价"]'
        ).replace("stage_weights = {", 'stage_weights = { "初步接触" = 0.2, "报价" = 0.6 }\n# {'),
        encoding="utf-8",
    )
    p = rules.load(custom).pipeline
    assert p.stages == ("初步接触", "报价") and p.closed == ("签约", "未成交")
    bare = tmp_path / "old_rules.toml"  # a copy made before opportunities existed: the defaults
    bare.write_text(text.split("[opportunities]")[0], encoding="utf-8")
    assert rules.load(bare).pipeline == rules.DEFAULT_PIPELINE
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('competitor_reason = "竞争对手"', 'competitor_reason = "天气"'), encoding="utf-8")
    with pytest.raises(rules.RulesError, match="competitor_reason"):
        rules.load(broken)
