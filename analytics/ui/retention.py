"""The 客户挽留 page's uplift parts: the at-risk list ranked by expected revenue saved (with the
recommended action kind, its reasons and the holdout mark), the measured effect of each kind in
place of the success rate where the data allows, the expected-saved-revenue figure of the two
rankings, and the holdout share control for heads (the write checks the role again)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.common import rules
from analytics.common.filters import Filters
from analytics.ui import charts, model_quality, tables
from analytics.ui import compliance as daily
from analytics.ui.connection import connection, db_path
from analytics.ui.language import lang, t
from analytics.ui.signin import current_user
from analytics.views.compliance import RetentionOutcomes, holdout, retention_effects, retention_ranking


def shares(path: str) -> dict[str, float]:
    return holdout.shares(connection(path))


@st.cache_data(show_spinner=False)
def _ranked(
    path: str, filters: Filters, as_of: dt.date, r: rules.Rules, month: dt.date | None, s: dict, language: str
) -> pd.DataFrame:
    at_risk = daily.at_risk(path, filters, as_of, r)
    return retention_ranking.ranked(connection(path).cursor(), at_risk, month, s, language)


def ranked(filters: Filters, as_of: dt.date, r: rules.Rules, month: dt.date | None) -> pd.DataFrame:
    """The page's at-risk accounts ranked by expected revenue saved, in words (cached; a recorded
    action clears it with the daily-work reads, a holdout change keys it anew)."""
    path = db_path()
    return _ranked(path, filters, as_of, r, month, shares(path), lang())


def clear() -> None:
    _ranked.clear()


def effects() -> retention_effects.Effects:
    path = db_path()
    report = model_quality.report(path, model_quality.report_stamp(path))
    return retention_effects.measured_effects(report, lang())


def effect_metric(where: DeltaGenerator, measured: retention_effects.Effects, outcomes: RetentionOutcomes) -> None:
    """The fourth headline: how many kinds have a measured effect, or, where none has, the
    success rate labelled as recorded outcomes (not an effect)."""
    if measured.measured:
        where.metric(
            t("retention.effect_metric"),
            f"{measured.measured} / {len(measured.rows)}",
            help=t("retention.effect_metric_help", measured=measured.measured),
        )
        return
    rate = outcomes.success_rate
    where.metric(
        t("retention.success_recorded"),
        "—" if rate is None else f"{rate:.0%}",
        help=t("retention.success_help", n=outcomes.with_outcome, partly=outcomes.partly_retained),
    )


def effects_section(measured: retention_effects.Effects) -> None:
    """The measured effect of each kind with its interval, or why there is none."""
    st.subheader(t("retention.effects_title"))
    if not measured.measured:
        st.info(t("retention.effects_missing", reason=measured.reason or ""))
        return
    st.caption(t("retention.effects_caption", month=measured.test_as_of or "—"))
    tables.table(measured.rows, "uplift", key="retention_effects", file_name="retention_effects.csv")


@charts.cached
def expected_chart(figures: pd.DataFrame):
    long = figures.melt(id_vars=["top_k"], value_vars=["uplift_yuan", "risk_yuan"], var_name="ranking")
    long["ranking"] = long["ranking"].map(
        {"uplift_yuan": t("retention.chart_uplift"), "risk_yuan": t("retention.chart_risk")}
    )
    long["top_k"] = long["top_k"].astype(str)
    return px.bar(
        long,
        x="top_k",
        y="value",
        color="ranking",
        barmode="group",
        title=t("retention.expected_title"),
        labels={
            "top_k": t("uplift.col.top_k"),
            "value": t("uplift.col.expected_saved_yuan"),
            "ranking": t("uplift.col.ranking"),
        },
    )


def expected_section(rows: pd.DataFrame) -> None:
    """Expected revenue saved by the top K under the two rankings (estimates, so labelled)."""
    figures = retention_ranking.expected_by_top_k(rows)
    if figures.empty:
        st.caption(t("retention.expected_none"))
        return
    st.subheader(t("retention.expected_title"))
    st.caption(t("retention.expected_caption"))
    charts.plot(expected_chart(figures))
    tables.table(figures, "uplift", key="retention_expected", file_name="retention_expected_saved.csv")


def holdout_control() -> None:
    """For heads (and administrators): the holdout share of their scope, and a form to change it."""
    who = current_user()
    if who is None or who.role not in holdout.SETTERS:
        return
    path = db_path()
    scope = holdout.scope_of(who)
    current = holdout.share_for(shares(path), scope or None)
    scope_name = scope or t("retention.scope_department")
    st.subheader(t("retention.holdout_title"))
    st.caption(t("retention.holdout_caption", share=current, scope=scope_name))
    with st.form("retention_holdout_form"):
        percent = st.slider(
            t("retention.holdout_slider"), 0, int(holdout.MAX_SHARE * 100), int(round(current * 100)), step=1
        )
        if st.form_submit_button(t("retention.holdout_save")):
            try:
                holdout.set_share(connection(path), who, percent / 100)
            except holdout.NotAllowed:
                st.error(t("retention.holdout_refused"))
                return
            except holdout.BadShare as err:
                st.error(t("retention.holdout_bad", error=str(err)))
                return
            daily.clear_after_write()
            st.success(t("retention.holdout_saved", scope=scope_name, share=percent / 100))


def held_out_note(rows: pd.DataFrame) -> None:
    n = int(rows["is_holdout"].sum()) if "is_holdout" in rows and len(rows) else 0
    if n:
        st.caption(t("retention.holdout_count", n=n))
