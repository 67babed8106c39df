"""Retraining the models from the dashboard (admins): the button, the background job
(`preparation.retrain`, never inside a page rerun) and its progress and outcome. The one retrain
control: the admin page's models tab and the model quality page's monitoring section (a model
flagged there is one click from retraining) both draw it."""

from __future__ import annotations

import streamlit as st

from analytics import config
from analytics.access import audit
from analytics.models import preparation
from analytics.ui import jobs, refresh, signin, text, trail
from analytics.ui.connection import db_path
from analytics.ui.language import t
from analytics.warehouse import db

KIND = "retrain"


def may_retrain() -> bool:
    """Only the administrator retrains (the admin page's own role)."""
    who = signin.current_user()
    return who is not None and who.role == "admin"


def control(key: str) -> None:
    """The retrain button (`key` keeps two pages' buttons apart) and the job's status. Draws
    nothing for a user who is not an administrator."""
    if not may_retrain():
        return
    job = jobs.get(KIND)
    running = job is not None and job.running
    if st.button(t("admin.retrain"), type="primary", disabled=running or refresh.busy(), key=f"{key}_button"):
        who, path = signin.current_user(), config.db_path(db_path())

        def retrained(job: jobs.Job) -> None:
            st.cache_data.clear()  # every page reads the new scores
            with db.connect(path) as con:
                audit.record(
                    con, who.username, who.role, "retrain", "models", f"churn AUC {job.result['churn']['auc']:.3f}"
                )

        job, started = jobs.start(
            KIND, who.username, lambda progress: preparation.retrain(path, progress), on_done=retrained
        )
        if started:
            trail.record("retrain", "models", "started in the background")
        st.rerun()

    @st.fragment(run_every=1.0 if running else None)
    def retrain_status() -> None:
        """The job's progress while it runs (polled once a second), then its outcome."""
        job = jobs.get(KIND)
        if job is None:
            return
        if job.running:
            st.progress(job.fraction, text=f"{t('admin.retraining')}  {job.message}")
            st.caption(text.fill("admin.retrain_background", who=job.started_by, at=f"{job.started_at:%H:%M:%S}"))
        elif job.error_ref:
            st.error(t("errors.plain", ref=job.error_ref))
        else:
            st.success(t("admin.retrained", auc=job.result["churn"]["auc"]))
        if running and not job.running:
            st.rerun()  # the whole page: the button comes back

    retrain_status()
