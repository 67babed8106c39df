"""Cached wrappers and drawing helpers for the model quality page (模型质量)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.common import i18n
from analytics.ui import charts, tables
from analytics.ui.connection import connection
from analytics.ui.language import label, lang, t
from analytics.views import model_quality

BACKTEST_METRICS = ("auc", "pr_auc", "lift_top_decile", "brier")


def models_dir(path: str) -> Path:
    return model_quality.models_dir(path)


def report_stamp(path: str) -> float:
    """When report.json last changed: the cache key that makes a retraining show at once."""
    report = models_dir(path) / "report.json"
    return report.stat().st_mtime if report.exists() else 0.0


@st.cache_data(show_spinner=False)
def report(path: str, stamp: float) -> dict | None:
    return model_quality.read_report(models_dir(path))


@st.cache_data(show_spinner=False)
def training(path: str, stamp: float) -> model_quality.Training | None:
    recorded = report(path, stamp)
    return None if recorded is None else model_quality.training(models_dir(path), recorded)


@st.cache_data(show_spinner=False)
def notes_terms(path: str, stamp: float) -> pd.DataFrame:
    return model_quality.notes_terms(models_dir(path))


@st.cache_data(show_spinner=False)
def runs(path: str, stamp: float) -> pd.DataFrame:
    return model_quality.runs(connection(path).cursor())


# ---- showing ------------------------------------------------------------------------------


def model_text() -> Callable[[str], str]:
    """format_func for the model picker, bound to this run's language (see ui.trends)."""
    language = lang()
    return lambda model: i18n.text(f"model_quality.model.{model}", language)


def column_text() -> Callable[[str], str]:
    language = lang()
    return lambda column: i18n.text(f"model_quality.col.{column}", language)


def feature_name(feature: str) -> str:
    """A model column in words (analytics/common/i18n/model_quality.csv), its area filled in."""
    key, area = model_quality.feature_parts(feature)
    if f"model_quality.feature.{key}" not in i18n.table():
        return feature
    return t(f"model_quality.feature.{key}", area=label("area", area) if area else "")


def number(value: object, pattern: str = "{:.3f}") -> str:
    return "—" if value is None or pd.isna(value) else pattern.format(value)


def headline(columns: list, own: dict) -> None:
    """AUC, PR-AUC, top-decile lift, Brier and (demo data) the truth's AUC of one model."""
    auc, pr_auc, lift, brier, truth = columns
    auc.metric(t("model_quality.auc"), number(own.get("auc")), help=t("model_quality.auc_help"))
    rate = own.get("positive_rate") or 0.0
    pr_auc.metric(t("model_quality.pr_auc"), number(own.get("pr_auc")), help=t("model_quality.pr_auc_help", rate=rate))
    lift.metric(
        t("model_quality.lift"), number(own.get("lift_top_decile"), "{:.2f}"), help=t("model_quality.lift_help")
    )
    ece = own.get("ece") or 0.0
    brier.metric(
        t("model_quality.brier"), number(own.get("brier"), "{:.4f}"), help=t("model_quality.brier_help", ece=ece)
    )
    if own.get("truth_auc"):
        ratio = own["auc"] / own["truth_auc"]
        truth.metric(
            t("model_quality.truth_auc"), number(own["truth_auc"]), help=t("model_quality.truth_auc_help", ratio=ratio)
        )
    else:
        truth.metric(t("model_quality.truth_auc"), t("model_quality.no_truth"))


def test_line(own: dict) -> str:
    return t(
        "model_quality.test_line",
        test=own.get("test_as_of", "—"),
        train=own.get("train_as_of", "—"),
        months=own.get("train_months", 0),
        train_rows=own.get("train_rows", 0),
        rows=own.get("rows", 0),
        positives=own.get("positives", 0),
        rate=own.get("positive_rate") or 0.0,
        window=own.get("window_months", "—"),
    )


def shown_models(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with its `model` and `area` codes in words."""
    shown = frame.copy()
    if "model" in shown:
        shown["model"] = [t(f"model_quality.model.{m}") for m in shown["model"]]
    if "area" in shown:
        shown["area"] = [label("area", a) if isinstance(a, str) else "" for a in shown["area"]]
    return shown


@charts.cached
def calibration_figure(bins: pd.DataFrame) -> go.Figure:
    """Observed rate against mean predicted probability per bin, with the diagonal."""
    top = float(max(bins["mean_predicted"].max(), bins["observed_rate"].max(), 0.01)) * 1.05
    fig = px.line(
        bins,
        x="mean_predicted",
        y="observed_rate",
        markers=True,
        hover_data=["bin", "count"],
        title=t("model_quality.chart_calibration", n=len(bins)),
        labels={
            "mean_predicted": t("model_quality.col.mean_predicted"),
            "observed_rate": t("model_quality.col.observed_rate"),
            "bin": t("model_quality.col.bin"),
            "count": t("model_quality.col.count"),
        },
    )
    fig.add_trace(
        go.Scatter(
            x=[0, top],
            y=[0, top],
            mode="lines",
            name=t("model_quality.perfect"),
            line={"dash": "dash", "color": "grey"},
        )
    )
    fig.update_layout(xaxis_tickformat=".1%", yaxis_tickformat=".1%")
    return fig


@charts.cached
def backtest_figure(origins: pd.DataFrame, metric: str) -> go.Figure:
    name = t(f"model_quality.col.{metric}")
    return px.line(
        origins,
        x="as_of",
        y=metric,
        markers=True,
        title=t("model_quality.chart_backtest", metric=name),
        labels={"as_of": t("model_quality.col.as_of"), metric: name},
    )


@charts.cached
def drivers_figure(shown: pd.DataFrame) -> go.Figure:
    fig = px.bar(
        shown,
        x="mean_abs_contribution",
        y="feature",
        orientation="h",
        title=t("model_quality.chart_drivers"),
        labels={
            "mean_abs_contribution": t("model_quality.col.mean_abs_contribution"),
            "feature": t("model_quality.col.feature"),
        },
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def shown_drivers(drivers: pd.DataFrame) -> pd.DataFrame:
    """Drivers with the feature in words and its code beside it."""
    return pd.DataFrame(
        {
            "feature": [feature_name(f) for f in drivers["feature"]],
            "feature_code": drivers["feature"],
            "mean_abs_contribution": drivers["mean_abs_contribution"],
            "share": drivers["share"],
        }
    )


def file_name(part: str) -> str:
    return f"model_quality_{part}_{lang()}.csv"


def scope_view(report: dict) -> None:
    """The business scope model: its per-area AUC on held-out accounts against holdings and, on
    demo data, against the true needs, with how to read them."""
    headline = model_quality.scope_headline(report)
    per_area = model_quality.scope_summary(report)
    if per_area.empty or headline["skipped"]:
        st.info(t("model_quality.no_scope"))
        return
    st.caption(
        t(
            "model_quality.scope_caption",
            accounts=headline["accounts"] or 0,
            folds=headline["folds"] or 0,
            label_end=headline["label_end"] or "—",
        )
    )
    c1, c2 = st.columns(2)
    c1.metric(
        t("model_quality.scope_holdings_auc"),
        number(headline["holdings_auc"]),
        help=t("model_quality.scope_holdings_auc_help"),
    )
    c2.metric(
        t("model_quality.scope_truth_auc"),
        number(headline["truth_need_auc"]) if headline["truth_need_auc"] is not None else t("model_quality.no_truth"),
        help=t("model_quality.scope_truth_auc_help"),
    )
    st.caption(t("model_quality.scope_explain"))
    tables.table(shown_models(per_area), "model_quality", key="mq_scope", file_name=file_name("scope"))
