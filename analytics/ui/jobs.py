"""Long work of the dashboard (retraining the models) as a background job in the server process,
never inside a page rerun (SPEC §4): the page that starts it returns at once, shows the job's
progress while it runs (a fragment polling once a second) and its outcome when it ends; other
users keep working meanwhile. One job of a kind runs at a time per server: asking again while it
runs shows the running one. A failure is logged with its traceback and a reference number
(analytics/ui/errors.py); the user sees the plain message.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analytics.common import logs

Progress = Callable[[str, float], None]


@dataclass
class Job:
    kind: str
    started_by: str
    started_at: dt.datetime
    message: str = ""
    fraction: float = 0.0
    result: Any = None
    error_ref: str | None = None  # set when it failed: the reference in the log
    finished_at: dt.datetime | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.finished_at is None


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def start(
    kind: str,
    started_by: str,
    work: Callable[[Progress], Any],
    on_done: Callable[[Job], None] | None = None,
) -> tuple[Job, bool]:
    """Start `work(progress)` in a thread as the job `kind`, unless one of that kind is running;
    (the job, whether this call started it). `on_done(job)` runs in the thread when it ended well."""
    from analytics.ui import errors

    with _lock:
        running = _jobs.get(kind)
        if running is not None and running.running:
            return running, False
        job = Job(kind, started_by, dt.datetime.now())
        _jobs[kind] = job

    def progress(message: str, fraction: float) -> None:
        job.message, job.fraction = message, min(max(fraction, 0.0), 1.0)

    def run() -> None:
        log = logs.logger("jobs")
        log.info("job %s started by %s", kind, started_by)
        try:
            job.result = work(progress)
            if on_done is not None:
                on_done(job)
        except Exception:
            job.error_ref = errors.reference()
            log.exception("job %s failed: error %s", kind, job.error_ref)
        finally:
            job.finished_at = dt.datetime.now()
            seconds = (job.finished_at - job.started_at).total_seconds()
            log.info("job %s ended in %.1f s (%s)", kind, seconds, "failed" if job.error_ref else "done")

    job.thread = threading.Thread(target=run, name=f"needsmine-job-{kind}", daemon=True)
    job.thread.start()
    return job, True


def get(kind: str) -> Job | None:
    """The running or last job of `kind` in this server, or None."""
    return _jobs.get(kind)
