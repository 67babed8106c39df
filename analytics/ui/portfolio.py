"""Cached wrappers and drawing helpers for the portfolio overview (组合总览)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.common.filters import Filters
from analytics.ui.frame import connection, export_callback, label, t
from analytics.views import portfolio

# Columns whose values are data codes with a display name (analytics/common/i18n/common.csv).
AT_RISK_PROBABILITY = portfolio.AT_RISK_PROBABILITY
LABELLED = {"district": "district", "value_class": "class", "best_area": "area"}


@st.cache_data(show_spinner=False)
def summary(path: str, filters: Filters, manager_limit: int = 200) -> portfolio.Summary:
    return portfolio.summary(connection(path).cursor(), filters, manager_limit)


@st.cache_data(show_spinner=False)
def at_risk(path: str, filters: Filters, limit: int, lang: str) -> pd.DataFrame:
    return portfolio.at_risk(connection(path).cursor(), filters, limit, lang)


@st.cache_data(show_spinner=False)
def risk_bands(path: str, filters: Filters) -> pd.DataFrame:
    return portfolio.risk_bands(connection(path).cursor(), filters)


# ---- showing ------------------------------------------------------------------------------


def wan(value: float) -> str:
    """Yuan as 万元 with one decimal, the way headline figures are shown."""
    return f"{value / 1e4:,.1f}"


def change(figure: portfolio.Figure, relative: bool = True) -> str | None:
    """The delta of a headline metric: relative change in %, or the difference in units."""
    if relative:
        return None if figure.change is None else t("portfolio.mom_change", change=figure.change)
    return None if figure.difference is None else t("portfolio.mom_difference", difference=figure.difference)


def metric(
    where: DeltaGenerator,
    name: str,
    shown: str,
    figure: portfolio.Figure,
    *,
    relative: bool = True,
    inverse: bool = False,
    **values: object,
) -> None:
    """Headline metric `portfolio.<name>` (help text `portfolio.<name>_help`) with its change on
    last month, or a note that there is none to show."""
    help_text = t(f"portfolio.{name}_help", **values)
    if figure.previous is None:
        help_text = f"{help_text}  \n{t('portfolio.no_previous')}"
    delta_color = "inverse" if inverse else "normal"
    where.metric(t(f"portfolio.{name}"), shown, delta=change(figure, relative), delta_color=delta_color, help=help_text)


def displayed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as shown: data codes by their display names, yuan rounded to whole yuan."""
    shown = frame.copy()
    for column, kind in LABELLED.items():
        if column in shown:
            shown[column] = [label(kind, v) if pd.notna(v) else "" for v in shown[column]]
    for column in shown.columns:
        if str(column).endswith("_yuan"):
            shown[column] = shown[column].astype(float).round(0)
    return shown


WIDE = frozenset({"churn_reasons", "top_reason", "products"})
PINNED = frozenset({"priority_rank", "account_name"})


def column_config(columns: list[str], prefix: str) -> dict[str, object]:
    """Translated headers and number formats (yuan with separators, probabilities as %); the
    account name stays in view while scrolling sideways, the text of reasons gets room."""
    config: dict[str, object] = {}
    for name in columns:
        header = t(f"{prefix}.col.{name}")
        if name.endswith("_yuan"):
            config[name] = st.column_config.NumberColumn(header, format="localized")
        elif name.endswith(("probability", "propensity")):
            config[name] = st.column_config.NumberColumn(header, format="percent")
        else:
            width = "large" if name in WIDE else None
            config[name] = st.column_config.Column(header, width=width, pinned=name in PINNED or None)
    return config


def height(rows: int, most: int = 20) -> int:
    """Pixels for a table that shows up to `most` rows before it scrolls."""
    return 38 + 35 * min(max(rows, 1), most)


def headers(columns: list[str], prefix: str) -> dict[str, str]:
    return {name: t(f"{prefix}.col.{name}") for name in columns}


def table(frame: pd.DataFrame, prefix: str, file_name: str, key: str) -> None:
    """A table with translated headers and a button that downloads exactly its rows as CSV
    (UTF-8 with BOM, so that Excel opens the Chinese text)."""
    if frame.empty:
        st.info(t("app.no_rows"))
        return
    columns = [str(c) for c in frame.columns]
    config = column_config(columns, prefix)
    st.dataframe(frame, width="stretch", height=height(len(frame)), hide_index=True, column_config=config)
    csv = frame.rename(columns=headers(columns, prefix)).to_csv(index=False).encode("utf-8-sig")
    st.download_button(t("app.download_csv"), csv, file_name=file_name, mime="text/csv", key=key,
                       on_click=export_callback(f"{prefix} table", file_name))


def band_labels(bands: pd.DataFrame) -> pd.DataFrame:
    """The risk bands with a display label ("5%–10%", "≥40%") in place of their edges."""
    names = [
        t("portfolio.band_open", lower=lower)
        if pd.isna(upper)
        else t("portfolio.band_closed", lower=lower, upper=upper)
        for lower, upper in zip(bands["lower"], bands["upper"], strict=True)
    ]
    return pd.DataFrame({"band_label": names}).join(bands[["account_count", "revenue_at_risk_yuan"]])


def money_chart(frame: pd.DataFrame, by: str, title: str, horizontal: bool = False) -> go.Figure:
    """Grouped bars of revenue at risk and opportunity value per `by` (a shown frame)."""
    measures = ["revenue_at_risk_yuan", "opportunity_value_yuan"]
    long = frame.melt(id_vars=[by], value_vars=measures, var_name="measure", value_name="yuan")
    long["measure"] = long["measure"].map(lambda m: t(f"portfolio.col.{m}"))
    axes = {"x": "yuan", "y": by} if horizontal else {"x": by, "y": "yuan"}
    fig = px.bar(long, **axes, color="measure", barmode="group", title=title, orientation="h" if horizontal else "v",
                 labels={by: t(f"portfolio.col.{by}"), "yuan": t("portfolio.axis_yuan"),
                         "measure": t("portfolio.axis_measure")})  # fmt: skip
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return fig


def risk_chart(bands: pd.DataFrame) -> go.Figure:
    """Accounts per band of churn probability (a frame from `band_labels`)."""
    return px.bar(
        bands, x="band_label", y="account_count", title=t("portfolio.chart_distribution"),
        hover_data={"revenue_at_risk_yuan": ":,.0f"},
        labels={"band_label": t("portfolio.col.band_label"), "account_count": t("portfolio.axis_accounts"),
                "revenue_at_risk_yuan": t("portfolio.col.revenue_at_risk_yuan")},
    )  # fmt: skip


def manager_chart(shown: pd.DataFrame, top: int = 20) -> go.Figure:
    """The `top` managers of a shown by-manager frame, as horizontal grouped bars."""
    first = shown.head(top).assign(manager_name=lambda d: d["manager_id"] + " " + d["manager_name"].fillna(""))
    return money_chart(first, "manager_name", t("portfolio.chart_manager"), horizontal=True)
