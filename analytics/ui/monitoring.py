"""The model quality page's monitoring section (模型监控, `analytics/views/monitoring.py`): each
model's latest realised AUC against its backtest AUC with the flag, the retrain control for
administrators, and for the chosen model its realised figures, realised calibration and input
drift over time."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.common import rules
from analytics.config import WINDOWS
from analytics.ui import charts, retrain, tables
from analytics.ui import model_quality as quality
from analytics.ui.connection import connection
from analytics.ui.language import t
from analytics.views import model_quality
from analytics.views import monitoring as views

DRIFT_LINES = 5  # features drawn in the drift chart


@st.cache_data(show_spinner=False)
def judged(path: str, stamp: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(realised figures per model and score month, calibration bins per model and score month)."""
    con = connection(path).cursor()
    scores = views.scores(con)
    if scores.empty:
        return pd.DataFrame(columns=views.REALISED_COLUMNS), pd.DataFrame()
    outcomes = views.outcomes(con)
    return views.realised(scores, outcomes), views.calibration(scores, outcomes)


@st.cache_data(show_spinner=False)
def drift(path: str, stamp: float) -> pd.DataFrame:
    report = quality.report(path, stamp) or {}
    return views.drift(views.drift_frame(connection(path).cursor(), report), report)


MONTH_COLUMNS = ("score_month", "outcome_month", "month", "reference_month")


def shown_months(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its month columns as YYYY-MM text (the model quality page's months; the browser
    draws a date object of a table cell as a number)."""
    months = {c: [f"{m:%Y-%m}" if pd.notna(m) else "" for m in frame[c]] for c in MONTH_COLUMNS if c in frame.columns}
    return frame.assign(**months)


def shown_status(status: pd.DataFrame) -> pd.DataFrame:
    """The status table in words: the model's name and the flag as a status text."""
    flag = [
        t("monitoring.flag.flagged") if f else t("monitoring.flag.ok") if pd.notna(a) else t("monitoring.flag.none")
        for f, a in zip(status["is_flagged"], status["realised_auc"], strict=True)
    ]
    return shown_months(quality.shown_models(status.drop(columns="is_flagged").assign(flag=flag)))


def shown_sources(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(source=[t(f"monitoring.source.{s}") for s in frame["source"]])


@charts.cached
def auc_figure(own: pd.DataFrame, name: str, backtest: float | None, threshold: float | None, share: float):
    fig = px.line(
        shown_sources(own),
        x="score_month",
        y="auc",
        markers=True,
        hover_data=["outcome_month", "source", "rows", "positives"],
        title=t("monitoring.chart_auc", model=name),
        labels={
            c: t(f"monitoring.col.{c}") for c in ("score_month", "auc", "outcome_month", "source", "rows", "positives")
        },
    )
    if backtest is not None:
        fig.add_hline(
            y=backtest, line_dash="dot", line_color="grey", annotation_text=t("monitoring.backtest_line", auc=backtest)
        )
        fig.add_hline(
            y=threshold,
            line_dash="dash",
            line_color="firebrick",
            annotation_text=t("monitoring.threshold_line", threshold=threshold, share=share),
            annotation_position="bottom right",
        )
    return fig


@charts.cached
def calibration_figure(own: pd.DataFrame, name: str) -> go.Figure:
    fig = go.Figure()
    for column in ("mean_predicted", "observed_rate"):
        fig.add_trace(
            go.Scatter(x=own["score_month"], y=own[column], mode="lines+markers", name=t(f"monitoring.col.{column}"))
        )
    fig.update_layout(title=t("monitoring.chart_calibration", model=name), yaxis_tickformat=".1%")
    return fig


@charts.cached
def drift_figure(lines: pd.DataFrame, moderate: float, shifted: float) -> go.Figure:
    fig = px.line(
        lines,
        x="month",
        y="psi",
        color="feature",
        markers=True,
        title=t("monitoring.chart_drift", n=lines["feature"].nunique()),
        labels={
            "month": t("monitoring.axis_month"),
            "psi": t("monitoring.axis_psi"),
            "feature": t("monitoring.col.feature"),
        },
    )
    fig.add_hline(
        y=moderate, line_dash="dot", line_color="orange", annotation_text=t("monitoring.moderate_line", value=moderate)
    )
    fig.add_hline(
        y=shifted, line_dash="dash", line_color="firebrick", annotation_text=t("monitoring.shifted_line", value=shifted)
    )
    return fig


def section(path: str, stamp: float, report: dict, model: str) -> None:
    """The monitoring section: every model's status and flag (with the retrain control for
    administrators), then the chosen probability model's figures over time."""
    watch = rules.load().monitoring
    st.subheader(t("monitoring.title"))
    st.caption(t("monitoring.caption", churn=WINDOWS.churn_months, adoption=WINDOWS.adoption_months))
    realised, bins = judged(path, stamp)
    if realised.empty:
        st.info(t("monitoring.no_history"))
        retrain.control("mq_retrain")
        return
    share = watch.realised_auc_share_of_backtest
    status = views.status(realised, report, share)
    st.markdown(f"**{t('monitoring.status')}**")
    st.caption(t("monitoring.status_caption", share=share))
    tables.table(shown_status(status), "monitoring", key="mq_watch_status", file_name=quality.file_name("monitoring"))
    for row in status[status["is_flagged"]].itertuples():
        st.warning(
            t(
                "monitoring.flagged",
                model=t(f"model_quality.model.{row.model}"),
                month=f"{row.score_month:%Y-%m}",
                auc=row.realised_auc,
                backtest=row.backtest_auc,
                share=share,
                threshold=row.threshold_auc,
            )
        )
    if retrain.may_retrain():
        st.caption(t("monitoring.retrain_caption"))
        retrain.control("mq_retrain")
    elif status["is_flagged"].any():
        st.caption(t("monitoring.ask_admin"))
    if model not in model_quality.SCORED_MODELS:
        return
    model_view(path, stamp, report, model, realised, bins, status, watch)


def model_view(path, stamp, report, model, realised, bins, status, watch) -> None:
    """The chosen model's realised figures, realised calibration and input drift over time."""
    name = t(f"model_quality.model.{model}")
    own = realised[realised["model"] == model]
    mine = status[status["model"] == model]
    backtest = mine["backtest_auc"].iloc[0] if len(mine) else None
    threshold = mine["threshold_auc"].iloc[0] if len(mine) else None
    tab_realised, tab_calibration, tab_drift = st.tabs(
        [t(f"monitoring.{tab}") for tab in ("tab_realised", "tab_calibration", "tab_drift")]
    )
    with tab_realised:
        if own.empty:
            st.info(t("monitoring.no_realised"))
        else:
            st.caption(t("monitoring.realised_caption"))
            share = watch.realised_auc_share_of_backtest
            charts.plot(auc_figure(own, name, backtest, threshold, share))
            # the score month identifies the rows: shown under the month key (评分月份)
            shown = shown_months(shown_sources(own.drop(columns="model"))).rename(columns={"score_month": "month"})
            tables.table(shown, "monitoring", key="mq_watch_realised", file_name=quality.file_name(f"realised_{model}"))
    with tab_calibration:
        if own.empty:
            st.info(t("monitoring.no_realised"))
        else:
            charts.plot(calibration_figure(own, name))
            months = list(own["score_month"])
            month = st.selectbox(
                t("monitoring.calibration_month"),
                months,
                index=len(months) - 1,
                key="mq_watch_month",
                format_func=lambda m: f"{m:%Y-%m}",
            )
            st.caption(t("monitoring.bins_caption"))
            chosen = bins[(bins["model"] == model) & (bins["score_month"] == month)]
            tables.table(chosen.drop(columns=["model", "score_month"]), "monitoring", key="mq_watch_bins")
    with tab_drift:
        drift_view(drift(path, stamp), report, model, watch)


def drift_view(moved: pd.DataFrame, report: dict, model: str, watch: rules.Monitoring) -> None:
    """The chosen model's features with the highest PSI: over the months, and as a table."""
    table = views.drift_table(moved, model, watch.psi_moderate, watch.psi_shifted)
    if table.empty:
        st.info(t("monitoring.no_drift"))
        return
    reference = views.reference_month(report, model)
    st.caption(
        t(
            "monitoring.drift_caption",
            reference=f"{reference:%Y-%m}",
            moderate=watch.psi_moderate,
            shifted=watch.psi_shifted,
        )
    )
    top = list(table["feature"].head(DRIFT_LINES))
    lines = moved[(moved["model"] == model) & moved["feature"].isin(top)]
    lines = lines.assign(feature=[quality.feature_name(f) for f in lines["feature"]])
    charts.plot(drift_figure(lines, watch.psi_moderate, watch.psi_shifted))
    shown = table.assign(
        feature_code=table["feature"],
        feature=[quality.feature_name(f) for f in table["feature"]],
        level=[t(f"monitoring.level.{v}") for v in table["level"]],
    )
    shown = shown_months(shown[["feature", "feature_code", "psi", "psi_max", "level", "month", "reference_month"]])
    shown = shown.rename(columns={"month": "latest_month"})
    tables.table(shown, "monitoring", key="mq_watch_drift", file_name=quality.file_name(f"drift_{model}"))
