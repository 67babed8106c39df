"""Cached wrappers and drawing helpers for the consumption trends page (消费趋势)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.common import i18n
from analytics.common.filters import Filters
from analytics.common.formats import wan
from analytics.common.months import add_months
from analytics.ui import charts, text
from analytics.ui.connection import connection
from analytics.ui.language import label, lang, t
from analytics.views import trends

# The dimension's data codes and the label kind of analytics/common/i18n/common.csv that names them.
LABEL_KINDS = {"area": "area", "industry": "industry", "district": "district", "value_class": "class"}
METRICS = ("revenue_yuan", "account_count", "revenue_per_account_yuan", "quantity")
COHORT_MEASURES = ("revenue_per_account_yuan", "retention", "account_count")


@st.cache_data(show_spinner=False)
def monthly(path: str, filters: Filters, dimension: str, product: str | None) -> pd.DataFrame:
    return trends.monthly(connection(path).cursor(), filters, dimension, product)


@st.cache_data(show_spinner=False)
def cohorts(path: str, filters: Filters) -> pd.DataFrame:
    return trends.cohorts(connection(path).cursor(), filters)


@st.cache_data(show_spinner=False)
def products(path: str) -> pd.DataFrame:
    return trends.products(connection(path).cursor())


# ---- showing ------------------------------------------------------------------------------


def metrics_for(dimension: str, product: str | None) -> list[str]:
    """The measures a breakdown can show: quantity only where it adds up in one unit."""
    quantity = trends.grain_of(dimension, product) == "product"
    return [m for m in METRICS if m != "quantity" or quantity]


def product_label(catalogue: pd.DataFrame, product_id: str | None, language: str | None = None) -> str:
    if product_id is None:
        return i18n.text("trends.product_all", language or lang())
    names = dict(zip(catalogue["product_id"], catalogue["product_name"], strict=True))
    return f"{product_id} {names.get(product_id, '')}".strip()


# Format functions bind the language of the run that draws the widget: Streamlit (and AppTest)
# may call them outside the script run, where the session's language cannot be read.


def option_text(prefix: str) -> Callable[[str], str]:
    """format_func showing option `x` as the text of `prefix.x`."""
    language = lang()
    return lambda option: i18n.text(f"{prefix}.{option}", language)


def product_text(catalogue: pd.DataFrame) -> Callable[[str | None], str]:
    language = lang()
    return lambda product_id: product_label(catalogue, product_id, language)


def with_labels(
    frame: pd.DataFrame, dimension: str, catalogue: pd.DataFrame, column: str = "group_value"
) -> pd.DataFrame:
    """`frame` with a first column `group`: the display name of each data code (None = total)."""

    def name(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return t("trends.total")
        if dimension == "product":
            return product_label(catalogue, str(value))
        if dimension == trends.COHORT:
            return t("trends.opened", year=value)
        return label(LABEL_KINDS[dimension], value)

    shown = frame.copy()
    shown.insert(0, "group", [name(v) for v in shown[column]])
    return shown


def headline_metrics(columns: list[DeltaGenerator], h: trends.Headline, shown: pd.DataFrame) -> None:
    """The month's revenue, its change on a year before, accounts billed, and the largest group."""
    month, year_ago = f"{h.month:%Y-%m}", f"{add_months(h.month, -12):%Y-%m}"
    revenue, yoy, accounts, top = columns
    revenue.metric(t("trends.kpi_revenue", month=month), wan(h.revenue_yuan), help=t("trends.kpi_revenue_help"))
    change = "—" if h.revenue_change_yoy is None else t("trends.yoy_value", change=h.revenue_change_yoy)
    yoy_help = t("trends.kpi_yoy_help", month=year_ago) if h.year_ago_revenue_yuan else t("trends.no_year_ago")
    yoy.metric(t("trends.kpi_yoy"), change, help=yoy_help)
    accounts.metric(t("trends.kpi_accounts", month=month), f"{h.account_count:,}", help=t("trends.kpi_accounts_help"))
    largest = shown.loc[(shown["billing_month"] == h.month) & (shown["group_value"] == h.top_group), "group"]
    top.metric(t("trends.kpi_top", month=month), text.markdown(largest.iloc[0]) if len(largest) else "—")


def monthly_export(shown: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """The monthly breakdown as downloaded: quantity only where it adds up in one unit."""
    return shown if "quantity" in metrics else shown.drop(columns=["quantity"])


def share_months(shown: pd.DataFrame) -> pd.DataFrame:
    """Each group's revenue and share of it per month (the data of the share chart)."""
    return shown[["group", "group_value", "billing_month", "revenue_yuan", "revenue_share"]]


def without_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame from `with_labels` as its table shows it: the group by name, not by data code."""
    return frame.drop(columns=["group_value"])


def _charted(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its groups (imported names of products, districts) escaped for Plotly, which
    reads a small HTML subset in labels and hover text."""
    return frame.assign(group=frame["group"].map(text.chart))


def _metric_values(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    shown = _charted(frame)
    shown["value"] = shown[metric] / 1e4 if metric == "revenue_yuan" else shown[metric]
    return shown


@charts.cached
def trend_figure(shown: pd.DataFrame, metric: str, dimension: str) -> go.Figure:
    """Lines of `metric` per month, one per group (a frame from `with_labels`)."""
    name = t(f"trends.metric.{metric}")
    data = _metric_values(shown, metric)
    return px.line(
        data,
        x="billing_month",
        y="value",
        color="group",
        markers=True,
        title=t("trends.chart_trend", metric=name, dimension=t(f"trends.dimension.{dimension}")),
        labels={"billing_month": t("trends.col.billing_month"), "value": name, "group": t("trends.col.group")},
    )


@charts.cached
def share_figure(shown: pd.DataFrame, dimension: str) -> go.Figure:
    """A 100%-stacked area of each group's share of revenue per month."""
    fig = px.area(
        _charted(shown),
        x="billing_month",
        y="revenue_yuan",
        color="group",
        groupnorm="percent",
        title=t("trends.chart_share", dimension=t(f"trends.dimension.{dimension}")),
        labels={
            "billing_month": t("trends.col.billing_month"),
            "revenue_yuan": t("trends.col.revenue_share"),
            "group": t("trends.col.group"),
        },
    )
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    return fig


@charts.cached
def share_change_figure(shown: pd.DataFrame, start: dt.date, end: dt.date) -> go.Figure:
    """Horizontal bars of each group's change in share (percentage points)."""
    fig = px.bar(
        _charted(shown),
        x="share_change_points",
        y="group",
        orientation="h",
        title=t("trends.chart_share_change", start=f"{start:%Y-%m}", end=f"{end:%Y-%m}"),
        labels={"share_change_points": t("trends.col.share_change_points"), "group": t("trends.col.group")},
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@charts.cached
def yoy_figure(shown: pd.DataFrame, month: dt.date) -> go.Figure:
    """Grouped bars of each group's revenue this month and a year before (万元)."""
    groups = _charted(shown[shown["group_value"].notna()])
    long = groups.melt(
        id_vars=["group"], value_vars=["year_ago_revenue_yuan", "revenue_yuan"], var_name="measure", value_name="yuan"
    )
    long["wan_yuan"] = long["yuan"] / 1e4
    months = {"year_ago_revenue_yuan": add_months(month, -12), "revenue_yuan": month}
    long["measure"] = long["measure"].map(lambda m: f"{months[m]:%Y-%m}")
    return px.bar(
        long,
        x="group",
        y="wan_yuan",
        color="measure",
        barmode="group",
        title=t("trends.chart_yoy", month=f"{month:%Y-%m}"),
        labels={"group": t("trends.col.group"), "wan_yuan": t("trends.col.revenue_wan_yuan"), "measure": ""},
    )


@charts.cached
def cohort_figure(frame: pd.DataFrame, measure: str) -> go.Figure:
    """A heat map: opening year (rows) × billing month (columns) of `measure`."""
    matrix = trends.cohort_matrix(frame, measure)
    matrix.index = [t("trends.opened", year=y) for y in matrix.index]
    matrix.columns = [f"{m:%Y-%m}" for m in matrix.columns]
    name = t(f"trends.cohort.{measure}")
    fig = px.imshow(
        matrix,
        aspect="auto",
        color_continuous_scale="Blues",
        title=t("trends.chart_cohort", metric=name),
        labels={"x": t("trends.col.billing_month"), "y": t("trends.col.opened_year"), "color": name},
    )
    if measure == "retention":
        fig.update_coloraxes(colorbar_tickformat=".0%")
    return fig


def file_name(part: str, filters: Filters) -> str:
    return f"trends_{part}_{filters.month:%Y-%m}_{lang()}.csv"
