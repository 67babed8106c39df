"""Refreshing the served warehouse (analytics/models/refresh.py): built and scored in a snapshot,
the derived tables switched over in one transaction; readers see the old state until then, forms
written meanwhile are kept, and a failed refresh changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.access import audit
from analytics.models import refresh
from analytics.warehouse import db


def _last_month(con) -> dt.date:
    return con.execute("select max(billing_month) from billing_monthly").fetchone()[0]


@pytest.mark.slow
def test_a_refresh_brings_the_new_data_in_and_keeps_what_was_written_meanwhile(scored_copy):
    with db.connect(scored_copy) as served:
        month = _last_month(served)
        account = served.execute(
            "select account_id from scores where as_of_month = ? order by revenue_12m_yuan desc limit 1", [month]
        ).fetchone()[0]
        before = served.execute(
            "select revenue_12m_yuan, scored_at from scores where account_id = ? and as_of_month = ?", [account, month]
        ).fetchone()
        # What an import would do: the month's billing of one account doubled.
        served.execute(
            "update billing_monthly set revenue_yuan = revenue_yuan * 2 where account_id = ? and billing_month = ?",
            [account, month],
        )
        added = served.execute(
            "select sum(revenue_yuan) from billing_monthly where account_id = ? and billing_month = ?", [account, month]
        ).fetchone()[0]
        seen_during: list[tuple] = []

        def progress(message: str, fraction: float) -> None:
            if message.startswith("构建") and not seen_during:
                # Someone reads and someone writes while the snapshot is being built.
                cur = served.cursor()
                seen_during.append(
                    cur.execute(
                        "select revenue_12m_yuan from scores where account_id = ? and as_of_month = ?", [account, month]
                    ).fetchone()
                )
                audit.record(cur, "manager", "manager", "view", "page", "written during the refresh")

        report = refresh.refresh(served, scored_copy, progress)

        assert seen_during == [(before[0],)]  # the old state while it ran
        after = served.execute(
            "select revenue_12m_yuan, scored_at from scores where account_id = ? and as_of_month = ?", [account, month]
        ).fetchone()
        assert after[0] == pytest.approx(before[0] + float(added) / 2)  # the new month's billing counted
        assert after[1] > before[1]
        assert (
            month in report.months_scored
            and "scores" in report.tables
            and "mart_account_features" not in (report.tables)
        )  # a view is never copied: it reads the tables it names
        kept = served.execute("select count(*) from audit_log where detail = 'written during the refresh'").fetchone()
        assert kept == (1,)
    assert not refresh.snapshot_path(scored_copy).exists()


def test_a_failed_refresh_leaves_the_served_state_as_it_was(scored_copy):
    with db.connect(scored_copy) as served:
        scored = served.execute("select count(*), max(scored_at) from scores").fetchone()
        whitespace = served.execute("select count(*) from mart_account_whitespace").fetchone()
        # A billing row twice: the build's data test on raw billing keys fails.
        served.execute("insert into billing_monthly select * from billing_monthly limit 1")
        with pytest.raises(refresh.RefreshError, match="billing"):
            refresh.refresh(served, scored_copy)
        assert served.execute("select count(*), max(scored_at) from scores").fetchone() == scored
        assert served.execute("select count(*) from mart_account_whitespace").fetchone() == whitespace
    assert not refresh.snapshot_path(scored_copy).exists()
