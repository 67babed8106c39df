"""Concurrent writers lose nothing (SPEC §8): the Streamlit server's sessions are threads that
share one DuckDB connection, each write taking a cursor and a transaction of its own — so the
test does exactly that, with many threads writing interviews, reports and actions at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest

from analytics.views.daily_work import records as daily_work
from analytics.warehouse import db

THREADS = 8
PER_THREAD = 15
NOW = dt.datetime(2026, 11, 20, 12, 0)


def run_threads(work) -> list[BaseException]:
    """Start THREADS threads of work(k) together; the exceptions they raised."""
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def body(k: int) -> None:
        start.wait()
        try:
            work(k)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            failures.append(err)

    threads = [threading.Thread(target=body, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return failures


@pytest.fixture()
def con(scored_copy):
    con = db.connect(scored_copy)
    yield con
    con.close()


def test_concurrent_interviews_reports_and_actions_are_all_written(con):
    accounts = con.execute(
        "select account_id, manager_id from accounts where status = '在网' order by account_id limit 8"
    ).fetchall()
    counts = {
        table: con.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("interactions", "competitor_reports", "retention_actions")
    }
    ids: list[str] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        account_id, manager_id = accounts[k % len(accounts)]
        for j in range(PER_THREAD):
            tag = f"thread {k} write {j}"
            interview = {
                "account_id": account_id,
                "occurred_at": NOW,
                "channel": "电话",
                "contact_role": "联系人",
                "notes": tag,
            }
            report = {
                "manager_id": manager_id,
                "kind": "资费",
                "competitor": "中国电信",
                "observed_at": NOW,
                "description": tag,
            }
            made = [
                daily_work.record_interaction(con, interview, now=NOW),
                daily_work.record_competitor_report(con, report, now=NOW),
                daily_work.record_retention_action(con, {"account_id": account_id, "action": tag}, now=NOW),
            ]
            with lock:
                ids.extend(made)

    assert run_threads(work) == []
    expected = THREADS * PER_THREAD
    assert len(set(ids)) == 3 * expected  # every id unique
    for table, column in (
        ("interactions", "notes"),
        ("competitor_reports", "description"),
        ("retention_actions", "action"),
    ):
        total, tags = con.execute(
            f"select count(*), count(distinct {column}) filter (where {column} like 'thread %') from {table}"
        ).fetchone()
        assert total == counts[table] + expected and tags == expected, table


def test_concurrent_updates_of_one_action_all_commit(con):
    account_id = con.execute("select account_id from accounts where status = '在网' limit 1").fetchone()[0]
    action_id = daily_work.record_retention_action(con, {"account_id": account_id, "action": "拜访"}, now=NOW)
    done: list[str] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        for j in range(5):
            status = "进行中" if (k + j) % 2 else "计划"
            daily_work.update_retention_action(con, {"action_id": action_id, "status": status}, now=NOW)
            with lock:
                done.append(status)

    # Writers of one row conflict in DuckDB; each conflict is retried, so every update commits.
    assert run_threads(work) == []
    assert len(done) == THREADS * 5
    status = con.execute("select status::varchar from retention_actions where action_id = ?", [action_id]).fetchone()[0]
    assert status in {"计划", "进行中"}
    assert con.execute("select count(*) from retention_actions").fetchone()[0] == 1


def test_a_failed_write_among_concurrent_ones_leaves_no_trace(con):
    account_id = con.execute("select account_id from accounts where status = '在网' limit 1").fetchone()[0]
    before = con.execute("select count(*) from interactions").fetchone()[0]

    def work(k: int) -> None:
        values = {
            "account_id": account_id if k % 2 else "no-such-account",
            "occurred_at": NOW,
            "channel": "上门",
            "contact_role": "决策人",
            "notes": f"thread {k}",
        }
        with contextlib.suppress(daily_work.ValidationError):
            daily_work.record_interaction(con, values, now=NOW)

    assert run_threads(work) == []
    assert con.execute("select count(*) from interactions").fetchone()[0] == before + THREADS // 2
