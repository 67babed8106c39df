"""The heads' pipeline view (商机漏斗, pages/pipeline.py): the funnel, conversion and cycle time,
stalled opportunities, lost reasons and the stage-weighted forecast against targets, drawn from
`analytics.views.pipeline.funnel` for the signed-in head's reach and the sidebar's filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.common.filters import Filters
from analytics.ui import charts, tables
from analytics.ui.connection import connection, db_path
from analytics.ui.language import label, t
from analytics.views.pipeline import funnel

PREFIX = "funnel"


def data(filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The opportunities, their stage history and the targets in reach: read fresh (a stage moved
    on another page shows at once)."""
    cur = connection(db_path()).cursor()
    return funnel.opportunities(cur, filters), funnel.stage_changes(cur, filters), funnel.targets(cur, filters)


def _stage(values: pd.Series) -> list[str]:
    return [label("stage", s) for s in values]


@charts.cached
def funnel_figure(stages: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Funnel(
            y=_stage(stages["stage"]),
            x=stages["value_yuan"],
            text=[f"{n}" for n in stages["opportunity_count"]],
            textinfo="value+text",
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(title=t("funnel.chart.funnel"), margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


@charts.cached
def forecast_figure(months: pd.DataFrame) -> go.Figure:
    x = [f"{pd.Timestamp(m):%Y-%m}" for m in months["month"]]
    fig = go.Figure(
        [
            go.Bar(name=t("funnel.col.signed_yuan"), x=x, y=months["signed_yuan"]),
            go.Bar(name=t("funnel.col.weighted_yuan"), x=x, y=months["weighted_yuan"]),
        ]
    )
    fig.update_layout(barmode="stack", title=t("funnel.chart.forecast"), margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def stage_table(stages: pd.DataFrame) -> None:
    shown = stages.assign(stage=_stage(stages["stage"]))
    tables.table(shown, PREFIX, key="funnel_stages")


def group_table(frame: pd.DataFrame, key: str) -> None:
    """The funnel of each district or owner (the owner with id), stages in the language."""
    shown = frame.assign(stage=_stage(frame["stage"]))
    if "owner_id" in shown:
        owner = shown["owner_id"].astype(str) + " " + shown["owner_name"].fillna("").astype(str)
        shown = shown.assign(owner_name=owner.str.strip()).drop(columns=["owner_id"])
    tables.table(shown, PREFIX, key=key)


def conversion_table(frame: pd.DataFrame) -> None:
    shown = frame.assign(stage=_stage(frame["stage"]), next_stage=_stage(frame["next_stage"]))
    tables.table(shown, PREFIX, key="funnel_conversion")


def stalled_table(frame: pd.DataFrame, days: int) -> None:
    st.caption(t("funnel.stalled_caption", days=days, n=len(frame)))
    shown = pd.DataFrame(
        {
            "account_name": frame["account_name"].astype(str),
            "district": frame["district"].astype(str),
            "owner_name": (
                frame["owner_id"].astype(str) + " " + frame["owner_name"].fillna("").astype(str)
            ).str.strip(),
            "area": [label("area", a) for a in frame["area"]],
            "stage": _stage(frame["stage"]),
            "days_in_stage": frame["days_in_stage"].astype(int),
            "next_step": frame["next_step"].fillna("").astype(str),
            "value_yuan": frame["value_yuan"].astype(float),
        }
    )
    tables.table(shown, PREFIX, key="funnel_stalled", file_name="stalled_opportunities.csv")


def lost_table(frame: pd.DataFrame) -> None:
    shown = frame.assign(
        lost_reason=[label("lost_reason", r) if r else "" for r in frame["lost_reason"]],
        lost_competitor=[label("competitor", c) if c else "" for c in frame["lost_competitor"]],
    )
    tables.table(shown, PREFIX, key="funnel_lost")


def month_table(months: pd.DataFrame) -> None:
    shown = months.assign(month=[f"{pd.Timestamp(m):%Y-%m}" for m in months["month"]])
    tables.table(shown, PREFIX, key="funnel_months", file_name="forecast_by_month.csv")


def quarter_choice(quarters: list[dt.date]) -> dt.date | None:
    if not quarters:
        return None
    now = funnel.current_quarter()
    index = quarters.index(now) if now in quarters else 0
    return st.selectbox(
        t("funnel.quarter"),
        quarters,
        index=index,
        key="funnel_quarter",
        format_func=lambda q: f"{q.year} Q{(q.month - 1) // 3 + 1}",
    )


def target_table(frame: pd.DataFrame, key: str, file_name: str) -> None:
    shown = frame.drop(columns=["quarter"])
    if "manager_id" in shown:
        shown["manager_name"] = (shown["manager_id"] + " " + shown["manager_name"]).str.strip()
        shown = shown.drop(columns=["manager_id"])
    tables.table(shown, PREFIX, key=key, file_name=file_name)


def targets_section(gaps: pd.DataFrame) -> None:
    """The quarter picked (the current one by default): each district's and each manager's
    target, signed, weighted open value, forecast and gap."""
    quarter = quarter_choice(funnel.quarters(gaps))
    if quarter is None:
        st.info(t("funnel.no_targets"))
        return
    chosen = gaps[gaps["quarter"] == quarter]
    st.subheader(t("funnel.district_targets"))
    districts = chosen[chosen["manager_id"] == ""].drop(columns=["manager_id", "manager_name"])
    target_table(districts, "funnel_district_targets", "district_targets.csv")
    st.subheader(t("funnel.manager_targets"))
    target_table(chosen[chosen["manager_id"] != ""], "funnel_manager_targets", "manager_targets.csv")
