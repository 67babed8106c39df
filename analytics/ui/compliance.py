"""Cached reads and drawing helpers of the daily-work pages (规范执行, 竞争信息, 走访记录, 客户挽留).

Reads are cached per (warehouse, scope, period); every write from a form clears them
(`clear_after_write`), so the counts a user sees include what was just saved — in every session
of this server, since they all write through it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.express as px
import streamlit as st

from analytics.common import i18n, rules, workdays
from analytics.common.filters import Filters
from analytics.common.months import add_months, day_end, day_start, month_start
from analytics.ui import charts, text
from analytics.ui.connection import connection, db_path
from analytics.ui.filters import current_filters, filter_options
from analytics.ui.language import label, lang, t
from analytics.views import compliance, portfolio
from analytics.views.daily_work import period
from analytics.views.daily_work import records as daily_work

# Columns whose values are data codes with a display name, and the kind of name.
LABELLED = {
    "district": "district",
    "value_class": "class",
    "competitor": "competitor",
    "channel": "channel",
    "contact_role": "role",
    "status": "action_status",
    "latest_status": "action_status",
    "outcome": "outcome",
    "latest_outcome": "outcome",
    "report_kind": "report_kind",
}

# The columns each table shows, in order (headers: `compliance.col.<column>`).
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(columns.split())
    for name, columns in {
        "managers": "manager_id manager_name district account_count basic_rate personal_rate basic_overdue"
        " personal_overdue report_count has_enough_reports late_urgent under_quota at_risk_without_action",
        "districts": "district account_count basic_rate personal_rate managers managers_without_report late_urgent"
        " under_quota at_risk_without_action",
        "overdue": "account_id account_name manager_name district cadence_class cadence_months last_updated_at"
        " due_on days_overdue",
        "without_report": "manager_id manager_name district account_count report_count last_reported_at",
        "late_urgent": "reported_at manager_name account_name competitor observed_at due_on working_days_late"
        " description",
        "reports": "reported_at manager_name kind competitor account_name observed_at due_on is_late"
        " working_days_late description",
        "under_served": "account_id account_name manager_name district cadence_class quota_visits quota_months"
        " visit_count visits_missing last_contact_at",
        "visits": "account_id account_name manager_name district cadence_class quota_visits quota_months"
        " window_start_on visit_count on_site_count last_contact_at is_under_quota visits_missing",
        "interactions": "occurred_at account_id account_name manager_name channel contact_role notes needs_found",
        "at_risk_without_action": "account_id account_name manager_name district churn_probability"
        " revenue_at_risk_yuan churn_reasons",
        "at_risk": "account_id account_name manager_name district churn_probability revenue_at_risk_yuan"
        " churn_reasons has_action latest_action latest_status latest_outcome latest_action_at",
        "ranked_at_risk": "rank account_id account_name holdout recommended_kind expected_saved_yuan kind_reasons"
        " churn_probability revenue_at_risk_yuan ranked_by churn_reasons has_action latest_action latest_status"
        " latest_outcome latest_action_at manager_name district",
        "actions": "created_at account_id account_name owner_name action status outcome due_on completed_at",
    }.items()
}

TABS = ("managers", "districts", "profiles", "reports", "visits", "retention", "trend")


def _scope(filters: Filters) -> Filters:
    """The filters without the month: what the reads are keyed on (the period comes apart)."""
    return dataclasses.replace(filters, month=dt.date(2000, 1, 1))


# ---- the rules and the period ----------------------------------------------------------------


def current_rules() -> rules.Rules:
    """The rules file (re-read when it changes); a broken file stops the page with its error."""
    try:
        return rules.load()
    except rules.RulesError as err:
        st.error(text.fill("compliance.rules_error", error=str(err)))
        st.stop()
        raise


def as_of_for(month: dt.date) -> dt.date:
    """A month is judged at its last day, or today (Asia/Shanghai) while it runs."""
    return period.as_of_for(month)


def period_picker(key: str) -> dt.date:
    """The month a daily-work page shows, first the sidebar's (the data's latest month unless the
    user chose another), then every month of the warehouse and this calendar month: its as-of day."""
    data_months = filter_options(db_path()).months
    months = period.period_months(data_months)
    first = period.default_period(current_filters().month, data_months)
    index = months.index(first) if first in months else 0
    month = st.selectbox(t("compliance.period"), months, index=index, key=key, format_func=lambda m: f"{m:%Y-%m}")
    return as_of_for(month or first)


# ---- cached reads (cleared by every write) ---------------------------------------------------


def _guarded(read: Callable[[], object]) -> object:
    try:
        return read()
    except workdays.CalendarRangeError as err:
        st.error(text.markdown(err))
        st.stop()
        raise


# cache_resource, not cache_data: cache_data hands out an unpickled copy on every rerun, which
# for a province's review (500,000 rows) cost 0.5 s per click. The Review is read-only.
@st.cache_resource(show_spinner=False, max_entries=64)
def _review(
    path: str, scope: Filters, as_of: dt.date, through: dt.datetime | None, r: rules.Rules
) -> compliance.Review:
    return compliance.review(connection(path).cursor(), as_of, scope, r, actions_through=through)


def calendar_note(as_of: dt.date) -> None:
    """A warning above the figures when the make-up working days of `as_of`'s year are unknown."""
    note = workdays.calendar_warning(as_of, lang())
    if note:
        st.warning(note, icon=":material/event_busy:")


def review(filters: Filters, as_of: dt.date, r: rules.Rules, through: dt.datetime | None = None) -> compliance.Review:
    calendar_note(as_of)
    return _guarded(lambda: _review(db_path(), _scope(filters), as_of, through, r))


@st.cache_data(show_spinner=False)
def trend(path: str, filters: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    return compliance.profile_trend(connection(path).cursor(), as_of, _scope(filters), r)


@st.cache_data(show_spinner=False)
def _reports(path: str, scope: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    return compliance.month_reports(connection(path).cursor(), as_of, scope, r)


def reports(filters: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    calendar_note(as_of)
    return _guarded(lambda: _reports(db_path(), _scope(filters), as_of, r))


@st.cache_data(show_spinner=False)
def report_managers(path: str, filters: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    return compliance.report_managers(connection(path).cursor(), as_of, _scope(filters), r)


@st.cache_data(show_spinner=False)
def visits(path: str, filters: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    return compliance.visit_counts(connection(path).cursor(), as_of, _scope(filters), r)


@st.cache_data(show_spinner=False)
def interactions(path: str, filters: Filters, as_of: dt.date, limit: int = 200) -> pd.DataFrame:
    since = day_start(month_start(as_of))
    return compliance.interactions(connection(path).cursor(), since, day_end(as_of), _scope(filters), limit)


@st.cache_data(show_spinner=False)
def at_risk(path: str, filters: Filters, as_of: dt.date, r: rules.Rules) -> pd.DataFrame:
    cur = connection(path).cursor()
    return compliance.at_risk_accounts(cur, as_of, _scope(filters), r)  # actions up to compliance.actions_through_for


@st.cache_data(show_spinner=False)
def actions(path: str, filters: Filters, as_of: dt.date, months: int = 12) -> pd.DataFrame:
    since = day_start(add_months(as_of, 1 - months))
    cur = connection(path).cursor()  # up to the moment the at-risk list counts actions to
    return compliance.retention_actions(cur, since, compliance.actions_through_for(cur, as_of), _scope(filters))


@st.cache_data(show_spinner=False)
def accounts(path: str, filters: Filters) -> pd.DataFrame:
    return daily_work.account_choices(connection(path).cursor(), _scope(filters))


@st.cache_data(show_spinner=False)
def score_month(path: str, as_of: dt.date) -> dt.date | None:
    return compliance.score_month_for(connection(path).cursor(), as_of)


@st.cache_resource(show_spinner=False)
def notes_model(path: str):
    return daily_work.load_notes_model(path)


def clear_after_write() -> None:
    """A form wrote a row: every read that could show it is read again."""
    # the agenda reads the same rules, the ranked at-risk list the same accounts at risk
    from analytics.ui import agenda, retention

    for cached in (_review, _reports, report_managers, visits, interactions, at_risk, actions):
        cached.clear()
    agenda.clear()
    retention.clear()


# ---- showing -------------------------------------------------------------------------------------


def _shown(column: str, values: pd.Series) -> pd.Series:
    if column in LABELLED:
        return values.map(lambda v: v if pd.isna(v) else label(LABELLED[column], v))
    if column == "kind":
        return values.map(lambda v: label("report_kind", v))
    if column == "cadence_class":
        return values.map(lambda v: t(f"compliance.cadence.{v}"))
    if column == "needs_found":
        return values.map(lambda areas: "、".join(label("area", a) for a in areas) if areas is not None else "")
    if column == "churn_reasons":
        return values.map(lambda reasons: "；".join(reasons) if reasons is not None else "")
    if column.endswith("_yuan"):
        return values.astype(float).round(0)
    return values


def worded(name: str, scores: Filters | None = None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """How people read the rows of list `name` (a key of COLUMNS): its columns in order, data codes
    by their display names, yuan to the whole yuan. `tables.table` applies it to the rows it draws
    only (a province's lists run to many thousands of rows) and to the whole list when downloaded.

    With `scores` (the filters, month = the month of the scores listed), churn reasons are worded
    in the language of the run (scoring stores them in Chinese), as on the portfolio overview."""

    def rows_worded(rows: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame({c: _shown(c, rows[c]) for c in COLUMNS[name]})
        if scores is not None and "churn_reasons" in frame and lang() != i18n.DEFAULT_LANGUAGE and len(rows):
            again = portfolio.reasons(connection(db_path()).cursor(), scores, list(rows["account_id"]), lang())
            frame["churn_reasons"] = [
                "; ".join(again[a]) if again.get(a) else stored
                for a, stored in zip(rows["account_id"], frame["churn_reasons"], strict=True)
            ]
        return frame

    return rows_worded


@charts.cached
def trend_chart(frame: pd.DataFrame):
    shown = frame.assign(kind=frame["kind"].map(lambda k: t(f"compliance.profile_kind.{k}")))
    fig = px.line(
        shown,
        x="as_of_on",
        y="compliance_rate",
        color="kind",
        markers=True,
        title=t("compliance.trend_title"),
        labels={
            "as_of_on": t("compliance.col.month_end"),
            "compliance_rate": t("compliance.col.compliance_rate"),
            "kind": t("compliance.col.profile_kind"),
        },
    )
    fig.update_yaxes(tickformat=".0%")
    return fig


def manager_names() -> dict[str, str]:
    managers = filter_options(db_path()).managers
    return dict(zip(managers["manager_id"], managers["manager_name"], strict=True))


@charts.cached
def rates_chart(frame: pd.DataFrame, by: str):
    """Basic and personal profile compliance rates per `by` (e.g. district), side by side."""
    long = frame.melt(id_vars=[by], value_vars=["basic_rate", "personal_rate"], var_name="kind", value_name="rate")
    long["kind"] = long["kind"].map(lambda k: t(f"compliance.profile_kind.{k.removesuffix('_rate')}"))
    long[by] = long[by].map(lambda v: text.chart(label(LABELLED.get(by, by), v)))  # districts are imported names
    fig = px.bar(
        long,
        x=by,
        y="rate",
        color="kind",
        barmode="group",
        title=t("compliance.rates_title"),
        labels={
            by: t(f"compliance.col.{by}"),
            "rate": t("compliance.col.compliance_rate"),
            "kind": t("compliance.col.profile_kind"),
        },
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return fig


def section_picker(key: str) -> str:
    """Which part of the review to show (one at a time, so only that part is drawn)."""
    section = st.segmented_control(
        t("compliance.section"),
        list(TABS),
        default=TABS[0],
        key=key,
        format_func=lambda name: t(f"compliance.tab.{name}"),
        label_visibility="collapsed",
    )
    return section or TABS[0]


def profile_kind_picker(key: str) -> str:
    kind = st.segmented_control(
        t("compliance.col.profile_kind"),
        ["basic", "personal"],
        default="basic",
        key=key,
        format_func=lambda k: t(f"compliance.profile_kind.{k}"),
    )
    return kind or "basic"


def overdue(review: compliance.Review, kind: str) -> pd.DataFrame:
    return compliance.overdue(review.profiles, kind)


def under_served(review: compliance.Review) -> pd.DataFrame:
    return compliance.under_served(review.visits)


def quota_text(r: rules.Rules) -> str:
    """The visit quotas in words, e.g. "重要集团 每1个月≥1次；A类 …"."""
    return t("compliance.quota_sep").join(
        t("compliance.quota_one", who=t(f"compliance.cadence.{c}"), visits=q.visits, months=q.months)
        for c, q in r.visit_quota.items()
        if q.visits > 0
    )
