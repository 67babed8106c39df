"""The refresh of the served warehouse (analytics/models/refresh.py) as a background job: a button
(with "retrain too") for whoever may start it, its progress for whoever opens the page while it
runs, and its outcome; the pages read the new state once it has switched over. One refresh or
retraining at a time per server."""

from __future__ import annotations

import streamlit as st

from analytics import config
from analytics.access import audit
from analytics.common import i18n
from analytics.models import refresh
from analytics.ui import compliance, jobs, signin, text, trail
from analytics.ui.connection import connection, db_path
from analytics.ui.language import lang, t

KIND = "refresh"
OTHERS = ("retrain",)  # jobs that write the same tables: not beside a refresh


def busy() -> bool:
    """Whether a refresh or a retraining runs in this server."""
    return any((job := jobs.get(kind)) is not None and job.running for kind in (KIND, *OTHERS))


def start(retrain: bool) -> None:
    """Start the refresh in the background (the one running is shown if there is one)."""
    who, path = signin.current_user(), config.db_path(db_path())
    served = connection(db_path())

    def done(job: jobs.Job) -> None:
        st.cache_data.clear()  # every page reads the new state
        compliance.clear_after_write()
        report: refresh.RefreshReport = job.result
        months = ", ".join(f"{m:%Y-%m}" for m in report.months_scored)
        detail = f"scored {months}" + (f"; retrained, churn AUC {report.churn_auc:.3f}" if report.retrained else "")
        audit.record(served.cursor(), who.username, who.role, "refresh", "warehouse", detail)

    job, started = jobs.start(
        KIND, who.username, lambda progress: refresh.refresh(served, path, progress, retrain=retrain), on_done=done
    )
    if started:
        trail.record("refresh", "warehouse", "started in the background" + (" (with retraining)" if retrain else ""))


def panel(key: str, *, may_retrain: bool = True) -> None:
    """The refresh control and its status (`key` keeps the widgets of two pages apart); retraining
    offered only when `may_retrain` (to admins)."""
    st.caption(t("refresh.help"))
    running = busy()
    retrain = may_retrain and st.checkbox(t("refresh.retrain"), key=f"{key}_retrain", disabled=running)
    if st.button(t("refresh.start"), type="primary", disabled=running, key=f"{key}_start"):
        start(retrain)
        st.rerun()

    @st.fragment(run_every=1.0 if running else None)
    def status() -> None:
        """The job's progress while it runs (polled once a second), then its outcome."""
        job = jobs.get(KIND)
        if job is None:
            return
        if job.running:
            step = text.markdown(i18n.one_side(job.message, lang()))
            st.progress(job.fraction, text=f"{t('refresh.running')}  {step}")
            st.caption(text.fill("refresh.background", who=job.started_by, at=f"{job.started_at:%H:%M:%S}"))
        elif job.error_ref:
            st.error(t("refresh.failed", ref=job.error_ref))
        else:
            report: refresh.RefreshReport = job.result
            months = "、".join(f"{m:%Y-%m}" for m in report.months_scored)
            st.success(t("refresh.done", months=months, at=f"{job.finished_at:%H:%M:%S}"))
        if running and not job.running:
            st.rerun()  # the whole page: the button comes back

    status()
