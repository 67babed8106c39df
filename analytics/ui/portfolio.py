"""Cached wrappers and drawing helpers for the portfolio overview (组合总览)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.common.filters import Filters
from analytics.ui import charts, text
from analytics.ui.connection import connection
from analytics.ui.language import label, t
from analytics.views import portfolio
from analytics.views.account import view as account
from analytics.views.compliance import holdout

# Columns whose values are data codes with a display name (analytics/common/i18n/common.csv).
LABELLED = {"district": "district", "value_class": "class", "best_area": "area"}
# The at-risk list as a manager reads it: who, how much, what was done about it, a link to the
# account, and why (the reasons wrap in their cells, or in English run on to the right, past
# nothing a manager needs); the identifiers and the rest after.
AT_RISK_FIRST = (
    "rank",
    "account_name",
    "holdout",
    "recommended_kind",
    "expected_saved_yuan",
    "kind_reasons",
    "churn_probability",
    "revenue_at_risk_yuan",
    "latest_action",
    "latest_action_status",
    "account_link",
    "churn_reasons",
    "ranked_by",
    "latest_action_at",
    "manager_name",
    "district",
    "value_class",
    "account_id",
    "manager_id",
    "revenue_12m_yuan",
    "latest_action_owner_name",
)
# What the ranking works with but people do not read: the kind's code (its name is shown), the
# estimate behind expected_saved_yuan, the holdout flag (its mark is shown).
AT_RISK_HIDDEN = frozenset(
    {"latest_action_owner_id", "action_kind", "expected_effect", "expected_revenue_saved", "is_holdout"}
)


@st.cache_data(show_spinner=False)
def summary(path: str, filters: Filters, at_risk_probability: float, manager_limit: int = 200) -> portfolio.Summary:
    # The threshold is an argument so that the cache keys on it: an edited rules file counts at once.
    con = connection(path).cursor()
    return portfolio.summary(con, filters, manager_limit, at_risk_probability=at_risk_probability)


def at_risk(path: str, filters: Filters, limit: int, lang: str, at_risk_probability: float) -> pd.DataFrame:
    """The at-risk list ranked by expected revenue saved, holdout marked by the heads' shares now."""
    return _at_risk(path, filters, limit, lang, at_risk_probability, holdout.shares(connection(path)))


@st.cache_data(show_spinner=False)
def _at_risk(
    path: str, filters: Filters, limit: int, lang: str, at_risk_probability: float, shares: dict[str, float]
) -> pd.DataFrame:
    return portfolio.at_risk(connection(path).cursor(), filters, limit, lang, at_risk_probability, shares)


@st.cache_data(show_spinner=False)
def risk_bands(path: str, filters: Filters) -> pd.DataFrame:
    return portfolio.risk_bands(connection(path).cursor(), filters)


# ---- showing ------------------------------------------------------------------------------


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


def at_risk_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The at-risk list as shown (`displayed`) in AT_RISK_FIRST order: the latest retention action
    and its status in words ("未采取行动" when none was recorded) and a link that opens the account
    view on the account (the page checks the user's reach again when it opens)."""
    shown = displayed(frame)
    if shown.empty:
        return shown
    none = shown["latest_action"].isna()
    shown["latest_action"] = shown["latest_action"].astype(object).where(~none, t("portfolio.no_action"))
    shown["latest_action_status"] = [
        "" if pd.isna(s) else label("action_status", s) for s in shown["latest_action_status"]
    ]
    base = st.get_option("server.baseUrlPath") or ""
    shown["account_link"] = [account.link(a, base) for a in shown["account_id"]]
    rest = [c for c in shown.columns if c not in AT_RISK_FIRST and c not in AT_RISK_HIDDEN]
    return shown[[c for c in AT_RISK_FIRST if c in shown.columns] + rest]


def band_labels(bands: pd.DataFrame) -> pd.DataFrame:
    """The risk bands with a display label ("5%–10%", "≥40%") in place of their edges."""
    names = [
        t("portfolio.band_open", lower=lower)
        if pd.isna(upper)
        else t("portfolio.band_closed", lower=lower, upper=upper)
        for lower, upper in zip(bands["lower"], bands["upper"], strict=True)
    ]
    return pd.DataFrame({"band_label": names}).join(bands[["account_count", "revenue_at_risk_yuan"]])


@charts.cached
def money_chart(frame: pd.DataFrame, by: str, title: str, horizontal: bool = False) -> go.Figure:
    """Grouped bars of revenue at risk and opportunity value per `by` (a shown frame)."""
    measures = ["revenue_at_risk_yuan", "opportunity_value_yuan"]
    long = frame.melt(id_vars=[by], value_vars=measures, var_name="measure", value_name="yuan")
    long["measure"] = long["measure"].map(lambda m: t(f"portfolio.col.{m}"))
    long[by] = long[by].map(text.chart)  # imported names (districts, managers): plotly reads HTML in labels
    axes = {"x": "yuan", "y": by} if horizontal else {"x": by, "y": "yuan"}
    fig = px.bar(
        long,
        **axes,
        color="measure",
        barmode="group",
        title=title,
        orientation="h" if horizontal else "v",
        labels={by: t(f"portfolio.col.{by}"), "yuan": t("portfolio.axis_yuan"), "measure": t("portfolio.axis_measure")},
    )
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return fig


@charts.cached
def risk_chart(bands: pd.DataFrame) -> go.Figure:
    """Accounts per band of churn probability (a frame from `band_labels`)."""
    return px.bar(
        bands,
        x="band_label",
        y="account_count",
        title=t("portfolio.chart_distribution"),
        hover_data={"revenue_at_risk_yuan": ":,.0f"},
        labels={
            "band_label": t("portfolio.col.band_label"),
            "account_count": t("portfolio.axis_accounts"),
            "revenue_at_risk_yuan": t("portfolio.col.revenue_at_risk_yuan"),
        },
    )


@charts.cached
def manager_chart(shown: pd.DataFrame, top: int = 20) -> go.Figure:
    """The `top` managers of a shown by-manager frame, as horizontal grouped bars."""
    first = shown.head(top).assign(manager_name=lambda d: d["manager_id"] + " " + d["manager_name"].fillna(""))
    return money_chart(first, "manager_name", t("portfolio.chart_manager"), horizontal=True)
