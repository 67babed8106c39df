"""信息化项目 (analytics/views/projects): the demo is populated, a signed opportunity becomes a project
in one write (validated, scoped, audited), milestones keep their order, a stale version is refused,
and the billing status matches a hand computation from billing_monthly."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from analytics.access import auth
from analytics.common import project_terms as terms
from analytics.views.projects import reads, writes
from analytics.views.projects.writes import ValidationError
from analytics.warehouse import db

NOW = dt.datetime(2026, 11, 20, 12, 0)
HEAD = auth.User("head", "部门负责人", "head")


@pytest.fixture()
def con(demo_path, tmp_path):
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, target)
    con = db.connect(target)
    yield con
    con.close()


def manager(manager_id: str) -> auth.User:
    return auth.User(f"u_{manager_id}", manager_id, "manager", manager_id)


def test_demo_has_projects_with_milestones_collaborators_and_mostly_arriving_billing(con):
    frame = reads.projects(con, None, today=NOW.date())
    assert len(frame) > 50
    counts = reads.status_counts(frame)
    assert counts[terms.NORMAL] > counts[terms.LOW] > 0  # mostly arrives, some below expectation
    ((bad,),) = con.execute(
        "select count(*) from project_milestones m join project_milestones n using (project_id) "
        "where list_position(?, m.milestone) < list_position(?, n.milestone) and m.actual_on > n.actual_on",
        [list(terms.MILESTONES), list(terms.MILESTONES)],
    ).fetchall()
    assert bad == 0
    assert con.execute("select count(distinct project_id) from project_collaborators").fetchone()[0] == len(frame)
    assert len(reads.candidates(con, None, today=NOW.date())) > 0


def test_status_against_a_hand_computation(con):
    row = reads.projects(con, None, today=NOW.date()).iloc[0]
    contract = row["contract_month"].date()
    last = con.execute("select max(billing_month) from billing_monthly").fetchone()[0]
    due = (last.year - contract.year) * 12 + last.month - contract.month
    billed = con.execute(
        "select coalesce(sum(revenue_yuan), 0)::double from billing_monthly where account_id = ? "
        "and list_contains(?, product_id) and billing_month > ? and billing_month <= ?",
        [row["account_id"], list(row["product_ids"]), contract, last],
    ).fetchone()[0]
    assert row["months_due"] == due
    assert row["billed_yuan"] == pytest.approx(billed)
    expected = row["expected_monthly_yuan"] * due
    arrived = billed - row["baseline_monthly_yuan"] * due
    assert row["status"] == reads.status(due, expected, arrived)
    assert reads.status(0, 0, 0) == terms.NOT_DUE
    assert reads.status(3, 300, 0) == terms.NONE
    assert reads.status(3, 300, 239) == terms.LOW
    assert reads.status(3, 300, 240) == terms.NORMAL


def test_a_candidate_becomes_a_project_audited_and_out_of_scope_is_refused(con):
    candidate = reads.candidates(con, None, today=NOW.date()).iloc[0]
    other = con.execute(
        "select manager_id from managers where manager_id <> ? order by 1 limit 1", [candidate["manager_id"]]
    ).fetchone()[0]
    with pytest.raises(ValidationError) as caught:
        writes.create_project(con, manager(other), {"opportunity_id": candidate["opportunity_id"]}, now=NOW)
    assert caught.value.problems["opportunity_id"].key == "forms.error.unknown_opportunity"
    owner = manager(candidate["manager_id"])
    project_id = writes.create_project(con, owner, {"opportunity_id": candidate["opportunity_id"]}, now=NOW)
    with pytest.raises(ValidationError) as caught:
        writes.create_project(con, owner, {"opportunity_id": candidate["opportunity_id"]}, now=NOW)
    assert caught.value.problems["opportunity_id"].key == "forms.error.already_project"
    audit = con.execute("select username from audit_log where object = ?", [f"project {project_id}"]).fetchall()
    assert audit == [(owner.username,)]
    stones = reads.milestones(con, project_id, (candidate["manager_id"],))
    assert list(stones["milestone"]) == list(terms.MILESTONES)
    # milestones: order kept, future actual refused, stale version refused
    base = {"project_id": project_id, "version": 1}
    with pytest.raises(ValidationError) as caught:
        writes.set_milestone(con, owner, base | {"milestone": "验收", "actual_on": "2020-01-01"}, now=NOW)
    assert caught.value.problems["actual_on"].key == "forms.error.milestone_before"
    with pytest.raises(ValidationError) as caught:
        writes.set_milestone(con, owner, base | {"milestone": "验收", "actual_on": "2027-01-01"}, now=NOW)
    assert caught.value.problems["actual_on"].key == "forms.error.date_future"
    version = writes.set_milestone(con, owner, base | {"milestone": "实施", "planned_on": "2026-12-01"}, now=NOW)
    assert version == 2
    with pytest.raises(ValidationError) as caught:
        writes.add_collaborator(con, owner, base | {"person_name": "张伟", "role": "行业经理"}, now=NOW)
    assert caught.value.problems["version"].key == "forms.error.project_stale"
    writes.add_collaborator(con, owner, {**base, "version": 2, "person_name": "张伟", "role": "行业经理"}, now=NOW)
    assert list(reads.collaborators(con, project_id, None)["person_name"]) == ["张伟"]
    with pytest.raises(ValidationError) as caught:
        writes.set_milestone(con, manager(other), {**base, "version": 3, "milestone": "实施"}, now=NOW)
    assert caught.value.problems["project_id"].key == "forms.error.unknown_project"
