"""The heads' pipeline view (商机漏斗): for the opportunities within a head's reach (the department,
or a district head's district: the user's scope, as the pipeline's reads take it) and the
sidebar's filters — the funnel by stage, district and owner; conversion from each stage to the
next and the median days spent in each; stalled opportunities; lost reasons by competitor; and
the stage-weighted forecast of signed value against the quarterly targets (pipeline_targets).

Value throughout is the first-year value: expected monthly value × 12 + the one-off value. The
forecast counts each open opportunity's value × its stage's weight (rules `[opportunities]`
`stage_weights`) in its expected close month — a month already past counts in the current month
(still expected, late) — and signed value (签约) whole in the month it was signed.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common import clock, rules
from analytics.common.filters import Filters
from analytics.warehouse import db, queries


def _params(filters: Filters) -> dict[str, object]:
    return filters.params()


def opportunities(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every opportunity on the scoped accounts (sql/queries/funnel_opportunities.sql)."""
    db.ensure_pipeline_tables(con)
    return queries.run(con, "funnel_opportunities", _params(filters))


def stage_changes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Their stage history, in the order entered (sql/queries/funnel_stage_changes.sql)."""
    db.ensure_pipeline_tables(con)
    return queries.run(con, "funnel_stage_changes", _params(filters))


def targets(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The quarterly targets within reach (sql/queries/funnel_targets.sql)."""
    db.ensure_pipeline_tables(con)
    return queries.run(con, "funnel_targets", _params(filters))


def open_only(frame: pd.DataFrame, p: rules.Pipeline) -> pd.DataFrame:
    return frame[~frame["stage"].isin(p.closed)].reset_index(drop=True)


def _stage_order(p: rules.Pipeline, stages: pd.Series) -> list[str]:
    """The configured open stages in order, then any recorded stage no longer configured."""
    extra = sorted(set(stages) - set(p.all_stages))
    return [*p.stages, *extra]


def by_stage(frame: pd.DataFrame, p: rules.Pipeline) -> pd.DataFrame:
    """The funnel: open opportunities per open stage (in order, a stage without any shown with 0),
    their count and first-year value."""
    live = open_only(frame, p)
    order = _stage_order(p, live["stage"])
    grouped = live.groupby("stage")["value_yuan"].agg(["count", "sum"])
    rows = [
        {
            "stage": s,
            "opportunity_count": int(grouped["count"].get(s, 0)),
            "value_yuan": float(grouped["sum"].get(s, 0.0)),
        }
        for s in order
    ]
    return pd.DataFrame(rows, columns=["stage", "opportunity_count", "value_yuan"])


def by_group(frame: pd.DataFrame, p: rules.Pipeline, group: str) -> pd.DataFrame:
    """The funnel of each district (`group` "district") or owner ("owner"): a row per group and
    open stage (in stage order, a stage without any shown with 0) with the count and value of its
    open opportunities; the groups with the most open value first."""
    live = open_only(frame, p)
    keys = ["district"] if group == "district" else ["owner_id", "owner_name", "district"]
    columns = [*keys, "stage", "opportunity_count", "value_yuan"]
    if live.empty:
        return pd.DataFrame(columns=columns)
    order = _stage_order(p, live["stage"])
    totals = live.groupby(keys)["value_yuan"].sum().sort_values(ascending=False, kind="stable")
    grouped = live.groupby([*keys, "stage"])["value_yuan"].agg(["count", "sum"])
    rows = []
    for key in totals.index:
        key = key if isinstance(key, tuple) else (key,)
        for stage in order:
            hit = (*key, stage) in grouped.index
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "stage": stage,
                    "opportunity_count": int(grouped.loc[(*key, stage), "count"]) if hit else 0,
                    "value_yuan": float(grouped.loc[(*key, stage), "sum"]) if hit else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def conversion(changes: pd.DataFrame, p: rules.Pipeline) -> pd.DataFrame:
    """Per open stage: how many opportunities entered it, how many of those have left it (moved on
    or closed), how many of those went on to the next stage or further (签约 after the last), the
    conversion (went on / left: one still in the stage is not yet decided) and the median days
    spent in it (from entering it to the next change, over those that left it)."""
    rank = {s: n for n, s in enumerate(p.stages)} | {p.won: len(p.stages)}
    rows = []
    ordered = changes.sort_values(["opportunity_id", "changed_at", "written"], kind="stable")
    # per opportunity: the stages entered with when, and when the next change came
    ordered = ordered.assign(left_at=ordered.groupby("opportunity_id")["changed_at"].shift(-1))
    furthest = ordered.assign(r=ordered["to_stage"].map(rank)).groupby("opportunity_id")["r"].max()
    for number, stage in enumerate(p.stages):
        inside = ordered[ordered["to_stage"] == stage].drop_duplicates("opportunity_id", keep="first")
        left = inside[inside["left_at"].notna()]
        went_on = int((furthest.reindex(left["opportunity_id"]).fillna(-1) > number).sum())
        days = (pd.to_datetime(left["left_at"]) - pd.to_datetime(left["changed_at"])).dt.total_seconds() / 86400
        rows.append(
            {
                "stage": stage,
                "next_stage": p.stages[number + 1] if number + 1 < len(p.stages) else p.won,
                "entered_count": len(inside),
                "left_count": len(left),
                "advanced_count": went_on,
                "conversion_rate": went_on / len(left) if len(left) else None,
                "median_days": float(days.median()) if len(days) else None,
            }
        )
    return pd.DataFrame(rows)


def stalled(frame: pd.DataFrame, p: rules.Pipeline, today: dt.date | None = None) -> pd.DataFrame:
    """Open opportunities whose stage has not changed in `p.stalled_days` days or more, the longest
    stalled first, with the days in the stage."""
    today = today or clock.today()
    live = open_only(frame, p)
    days = (pd.Timestamp(today) - pd.to_datetime(live["stage_since"]).dt.normalize()).dt.days
    live = live.assign(days_in_stage=days)
    out = live[live["days_in_stage"] >= p.stalled_days]
    return out.sort_values(["days_in_stage", "opportunity_id"], ascending=[False, True]).reset_index(drop=True)


def lost_reasons(frame: pd.DataFrame, p: rules.Pipeline) -> pd.DataFrame:
    """Lost opportunities (未成交) by reason and, for the competitor reason, by competitor: count
    and first-year value, the most first."""
    lost = frame[frame["stage"] == p.lost]
    if lost.empty:
        return pd.DataFrame(columns=["lost_reason", "lost_competitor", "opportunity_count", "value_yuan"])
    lost = lost.assign(
        lost_reason=lost["lost_reason"].fillna(""),
        lost_competitor=lost["lost_competitor"].where(lost["lost_reason"] == p.competitor_reason, "").fillna(""),
    )
    out = lost.groupby(["lost_reason", "lost_competitor"], as_index=False).agg(
        opportunity_count=("opportunity_id", "count"), value_yuan=("value_yuan", "sum")
    )
    return out.sort_values(["opportunity_count", "lost_reason", "lost_competitor"], ascending=[False, True, True])


def weighted(frame: pd.DataFrame, p: rules.Pipeline, today: dt.date | None = None) -> pd.DataFrame:
    """The open opportunities with their stage weight, weighted value (value × weight) and the
    month the forecast counts them in (the expected close month, or the current one if past)."""
    today = today or clock.today()
    this_month = pd.Timestamp(today.year, today.month, 1)
    live = open_only(frame, p)
    weight = live["stage"].map(p.weight).astype(float)
    month = pd.to_datetime(live["expected_close_month"]).clip(lower=this_month)
    return live.assign(weight=weight, weighted_yuan=live["value_yuan"] * weight, month=month)


def signed(frame: pd.DataFrame, p: rules.Pipeline) -> pd.DataFrame:
    """The won opportunities with the month they were signed."""
    won = frame[(frame["stage"] == p.won) & frame["closed_at"].notna()]
    return won.assign(month=pd.to_datetime(won["closed_at"]).dt.to_period("M").dt.to_timestamp())


def forecast_by_month(frame: pd.DataFrame, p: rules.Pipeline, today: dt.date | None = None) -> pd.DataFrame:
    """Per month: value signed (whole) and the weighted open value expected to close; their sum.
    Months from the first of the current quarter to the last month any open one closes in."""
    today = today or clock.today()
    start = pd.Timestamp(today).to_period("Q").start_time
    ahead = weighted(frame, p, today).groupby("month")["weighted_yuan"].sum()
    won = signed(frame, p)
    done = won[won["month"] >= start].groupby("month")["value_yuan"].sum()
    end = max([pd.Timestamp(today.year, today.month, 1), *ahead.index, *done.index])
    months = pd.date_range(start, end, freq="MS")
    out = pd.DataFrame({"month": months})
    out["signed_yuan"] = [float(done.get(m, 0.0)) for m in months]
    out["weighted_yuan"] = [float(ahead.get(m, 0.0)) for m in months]
    out["forecast_yuan"] = out["signed_yuan"] + out["weighted_yuan"]
    return out


def _quarter(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months).dt.to_period("Q").dt.start_time.dt.date


def against_targets(
    frame: pd.DataFrame, target_frame: pd.DataFrame, p: rules.Pipeline, today: dt.date | None = None
) -> pd.DataFrame:
    """Per quarter with a target, district and manager (a district's own row has no manager):
    the target, value signed in the quarter, the weighted open value expected in it, their sum
    (the forecast) and the gap to target (target − forecast; above 0: short of it)."""
    today = today or clock.today()
    won, ahead = signed(frame, p), weighted(frame, p, today)
    parts = []
    for part, column in ((won, "value_yuan"), (ahead, "weighted_yuan")):
        part = part.assign(quarter=_quarter(part["month"]), amount=part[column])
        parts.append(part[["quarter", "district", "owner_id", "amount"]])
    won_q, ahead_q = parts
    rows = []
    for t in target_frame.itertuples():
        quarter = pd.Timestamp(t.quarter).date()
        manager = t.manager_id if isinstance(t.manager_id, str) else None
        sel = []
        for part in (won_q, ahead_q):
            hit = (part["quarter"] == quarter) & (part["district"] == t.district)
            if manager is not None:
                hit &= part["owner_id"] == manager
            sel.append(float(part.loc[hit, "amount"].sum()))
        forecast = sel[0] + sel[1]
        rows.append(
            {
                "quarter": quarter,
                "district": t.district,
                "manager_id": manager or "",
                "manager_name": (t.manager_name or "") if manager else "",
                "target_yuan": float(t.target_yuan),
                "signed_yuan": sel[0],
                "weighted_yuan": sel[1],
                "forecast_yuan": forecast,
                "gap_yuan": float(t.target_yuan) - forecast,
                "attainment_rate": forecast / float(t.target_yuan) if t.target_yuan else None,
            }
        )
    columns = [
        "quarter",
        "district",
        "manager_id",
        "manager_name",
        "target_yuan",
        "signed_yuan",
        "weighted_yuan",
        "forecast_yuan",
        "gap_yuan",
        "attainment_rate",
    ]
    return pd.DataFrame(rows, columns=columns)


def quarters(target_table: pd.DataFrame) -> list[dt.date]:
    """The quarters with a target, newest first."""
    return sorted({q for q in target_table["quarter"]}, reverse=True)


def current_quarter(today: dt.date | None = None) -> dt.date:
    today = today or clock.today()
    return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
