"""Background jobs of the dashboard (analytics/ui/jobs.py): one of a kind at a time, progress
visible while it runs, a failure kept as a reference number with its traceback in the log."""

from __future__ import annotations

import logging
import threading

from analytics.ui import jobs


def test_one_job_of_a_kind_runs_at_a_time_and_reports_progress():
    release = threading.Event()

    def work(progress):
        progress("halfway", 0.5)
        release.wait(timeout=30)
        return 42

    first, started = jobs.start("test-kind", "admin", work)
    again, started_again = jobs.start("test-kind", "someone else", lambda progress: 0)
    assert started and not started_again and again is first  # asking again shows the running one
    for _ in range(100):
        if first.fraction:
            break
        threading.Event().wait(0.01)
    assert first.running and (first.message, first.fraction) == ("halfway", 0.5)
    release.set()
    first.thread.join(timeout=30)
    assert not first.running and first.result == 42 and first.error_ref is None
    later, started_later = jobs.start("test-kind", "admin", lambda progress: 7)
    assert started_later and later is not first
    later.thread.join(timeout=30)
    assert jobs.get("test-kind") is later and later.result == 7


def test_a_failed_job_keeps_a_reference_and_logs_its_traceback(caplog):
    def work(progress):
        raise RuntimeError("disk full")

    done = []
    with caplog.at_level(logging.ERROR, logger="needsmine.jobs"):
        job, _ = jobs.start("test-failing", "admin", work, on_done=done.append)
        job.thread.join(timeout=30)
    assert job.error_ref and not job.running and done == []  # on_done only after a good end
    (record,) = [r for r in caplog.records if job.error_ref in r.getMessage()]
    assert "disk full" in str(record.exc_info[1])
