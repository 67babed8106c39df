"""The three forms of the daily work — competitor report, interview, retention action (and its
status update) — drawn with their errors beside each field.

A form is saved by a callback (it runs before the page is drawn again): it calls
`analytics.views.daily_work.records`, which validates and writes in one transaction; on success the fields are
reset, the new id noted and the cached counts cleared; on a `ValidationError` the values stay
and each problem is shown under its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.common import clock, rules
from analytics.common.filters import Filters
from analytics.config import AREAS
from analytics.ui import compliance as ui
from analytics.ui import signin, text, trail
from analytics.ui.connection import connection, db_path
from analytics.ui.filters import filter_options
from analytics.ui.language import label, t
from analytics.views.daily_work import records as daily_work
from analytics.warehouse.db import enum_values


def _errors(form: str) -> dict[str, daily_work.Problem]:
    return st.session_state.get(f"{form}_errors") or {}


def field_error(form: str, field: str) -> None:
    """The problem of `field` in the last attempt to save `form`, right under the field."""
    problem = _errors(form).get(field)
    if problem is not None:
        # its values may be what the user typed (an unknown account id): shown as text
        st.error(text.fill(problem.key, **problem.values), icon=":material/error:")


def saved_notice(form: str, key: str) -> None:
    saved = st.session_state.pop(f"{form}_saved", None)
    if saved:
        st.success(text.fill(key, id=saved), icon=":material/check_circle:")
    elif _errors(form):
        st.warning(t("forms.not_saved"), icon=":material/warning:")


def _save(form: str, write: Callable[[], str | None], reset: dict[str, object]) -> None:
    try:
        saved = write()
    except daily_work.ValidationError as err:
        st.session_state[f"{form}_errors"] = err.problems
        return
    st.session_state[f"{form}_errors"] = {}
    st.session_state[f"{form}_saved"] = saved or "✓"
    trail.record("change", form, saved)
    for key, value in reset.items():
        st.session_state[key] = value
    ui.clear_after_write()


def _moment(date_key: str, time_key: str) -> dt.datetime | dt.date | None:
    day, moment = st.session_state.get(date_key), st.session_state.get(time_key)
    if day is None:
        return None
    return dt.datetime.combine(day, moment) if moment is not None else day


def _state(key: str) -> object:
    value = st.session_state.get(key)
    return value.strip() if isinstance(value, str) else value


def _account_id(key: str) -> str | None:
    """The account picked, or the id typed in (with or without its name after it)."""
    value = _state(key)
    return str(value).split(" ", 1)[0] if value else None


def _enum(type_name: str) -> list[str]:
    return enum_values(connection(db_path()).cursor(), type_name)


def _managers(filters: Filters) -> list[str]:
    managers = filter_options(db_path()).managers
    if filters.districts:
        managers = managers[managers["district"].isin(filters.districts)]
    if filters.managers:
        managers = managers[managers["manager_id"].isin(filters.managers)]
    if filters.scope_managers is not None:
        managers = managers[managers["manager_id"].isin(filters.scope_managers)]
    return list(managers["manager_id"])


def _one_manager(filters: Filters, options: list[str]) -> int | None:
    """Preselect the manager when there is only one to choose (a signed-in account manager) or the
    sidebar narrows to exactly one."""
    if len(options) == 1:
        return 0
    return options.index(filters.managers[0]) if len(filters.managers) == 1 and filters.managers[0] in options else None


def _account_box(label_key: str, key: str, filters: Filters, *, first: list[str] | None = None) -> None:
    choices = ui.accounts(db_path(), filters)
    names = dict(zip(choices["account_id"], choices["account_name"], strict=True))
    order = list(dict.fromkeys([*(first or []), *choices["account_id"]]))
    st.selectbox(
        t(label_key),
        order,
        index=None,
        key=key,
        accept_new_options=True,
        placeholder=t("forms.account_hint"),
        format_func=lambda a: f"{a} {names.get(a, '')}".strip(),
    )


def _manager_box(label_key: str, key: str, filters: Filters, *, placeholder: str) -> None:
    options = _managers(filters)
    names = ui.manager_names()
    st.selectbox(
        t(label_key),
        options,
        index=_one_manager(filters, options),
        key=key,
        placeholder=t(placeholder),
        format_func=lambda m: f"{m} {names.get(m, '')}",
    )


# ---- competitor report -------------------------------------------------------------------------


def competitor_report_form(filters: Filters, r: rules.Rules) -> None:
    form = "cr"

    def write() -> str:
        values = {
            "manager_id": _state("cr_manager"),
            "kind": _state("cr_kind"),
            "competitor": _state("cr_competitor"),
            "account_id": _account_id("cr_account"),
            "observed_at": _moment("cr_observed_on", "cr_observed_time"),
            "description": _state("cr_description"),
        }
        return daily_work.record_competitor_report(
            connection(db_path()), values, urgent_kind=r.urgent_kind, scope=signin.scope()
        )

    with st.form("cr_form", border=False):
        c1, c2, c3 = st.columns(3)
        with c1:
            _manager_box("forms.manager", "cr_manager", filters, placeholder="forms.pick")
            field_error(form, "manager_id")
        with c2:
            st.selectbox(
                t("forms.kind"),
                _enum("report_kind"),
                index=None,
                key="cr_kind",
                placeholder=t("forms.pick"),
                format_func=lambda k: label("report_kind", k),
            )
            field_error(form, "kind")
        with c3:
            st.selectbox(
                t("forms.competitor"),
                _enum("competitor"),
                index=None,
                key="cr_competitor",
                placeholder=t("forms.pick"),
                format_func=lambda c: label("competitor", c),
            )
            field_error(form, "competitor")
        c4, c5, c6 = st.columns(3)
        with c4:
            _account_box("forms.account_optional", "cr_account", filters)
            field_error(form, "account_id")
        with c5:
            st.date_input(t("forms.observed_on"), clock.today(), max_value=clock.today(), key="cr_observed_on")
            field_error(form, "observed_at")
        with c6:
            st.time_input(
                t("forms.observed_time"), clock.now().time(), key="cr_observed_time", step=dt.timedelta(minutes=5)
            )
        st.text_area(t("forms.description"), key="cr_description", placeholder=t("forms.description_hint"))
        field_error(form, "description")
        st.form_submit_button(
            t("forms.submit_report"),
            type="primary",
            key="cr_submit",
            on_click=_save,
            args=(form, write, {"cr_kind": None, "cr_competitor": None, "cr_account": None, "cr_description": ""}),
        )
    saved_notice(form, "forms.report_saved")


# ---- interview -----------------------------------------------------------------------------------


def _suggest() -> None:
    """The notes changed: put the areas the notes model finds among the picked needs (replacing
    its previous suggestion, keeping what the manager picked by hand)."""
    model = ui.notes_model(db_path())
    suggested = daily_work.suggest_needs(model, st.session_state.get("iv_notes"))
    previous = set(st.session_state.get("iv_suggested") or [])
    picked = [a for a in (st.session_state.get("iv_needs") or []) if a not in previous]
    st.session_state["iv_needs"] = [a for a in AREAS if a in set(picked) | set(suggested)]
    st.session_state["iv_suggested"] = suggested


def interview_form(filters: Filters) -> None:
    form = "iv"
    model = ui.notes_model(db_path())

    def write() -> str:
        values = {
            "account_id": _account_id("iv_account"),
            "manager_id": _state("iv_manager"),
            "occurred_at": _moment("iv_date", "iv_time"),
            "channel": _state("iv_channel"),
            "contact_role": _state("iv_role"),
            "notes": _state("iv_notes"),
            "needs_found": st.session_state.get("iv_needs") or [],
        }
        return daily_work.record_interaction(connection(db_path()), values, scope=signin.scope())

    c1, c2, c3 = st.columns(3)
    with c1:
        _account_box("forms.account", "iv_account", filters)
        field_error(form, "account_id")
    with c2:
        _manager_box("forms.manager", "iv_manager", filters, placeholder="forms.manager_default")
        field_error(form, "manager_id")
    with c3:
        st.date_input(t("forms.occurred_on"), clock.today(), max_value=clock.today(), key="iv_date")
        st.time_input(t("forms.occurred_time"), clock.now().time(), key="iv_time", step=dt.timedelta(minutes=5))
        field_error(form, "occurred_at")
    c4, c5 = st.columns(2)
    with c4:
        st.selectbox(
            t("forms.channel"),
            _enum("channel"),
            index=None,
            key="iv_channel",
            placeholder=t("forms.pick"),
            format_func=lambda c: label("channel", c),
        )
        field_error(form, "channel")
    with c5:
        st.selectbox(
            t("forms.contact_role"),
            _enum("contact_role"),
            index=None,
            key="iv_role",
            placeholder=t("forms.pick"),
            format_func=lambda c: label("role", c),
        )
        field_error(form, "contact_role")
    st.text_area(t("forms.notes"), key="iv_notes", on_change=_suggest, placeholder=t("forms.notes_hint"))
    field_error(form, "notes")
    st.multiselect(
        t("forms.needs"),
        list(AREAS),
        key="iv_needs",
        format_func=lambda a: label("area", a),
        placeholder=t("forms.needs_hint"),
    )
    field_error(form, "needs_found")
    suggested = st.session_state.get("iv_suggested")
    if model is None:
        st.caption(t("forms.no_model"))
    elif suggested is not None:
        names = "、".join(label("area", a) for a in suggested) or t("forms.no_need_found")
        st.caption(t("forms.suggested", areas=names))
    st.button(
        t("forms.submit_interview"),
        type="primary",
        key="iv_save",
        on_click=_save,
        args=(form, write, {"iv_notes": "", "iv_needs": [], "iv_suggested": None, "iv_channel": None, "iv_role": None}),
    )
    saved_notice(form, "forms.interview_saved")


# ---- retention actions ---------------------------------------------------------------------------


def retention_action_form(filters: Filters, at_risk_ids: list[str]) -> None:
    form = "ra"

    def write() -> str:
        values = {
            "account_id": _account_id("ra_account"),
            "owner_id": _state("ra_owner"),
            "action": _state("ra_action"),
            "action_kind": _state("ra_kind"),
            "status": _state("ra_status"),
            "outcome": _state("ra_outcome"),
            "due_on": _state("ra_due"),
        }
        return daily_work.record_retention_action(
            connection(db_path()), values, scope=signin.scope(), kind_required=True
        )

    with st.form("ra_form", border=False):
        c1, c2 = st.columns(2)
        with c1:
            _account_box("forms.account", "ra_account", filters, first=at_risk_ids)
            field_error(form, "account_id")
        with c2:
            _manager_box("forms.owner", "ra_owner", filters, placeholder="forms.manager_default")
            field_error(form, "owner_id")
        st.selectbox(
            t("forms.action_kind"),
            _enum("action_kind"),
            index=None,
            key="ra_kind",
            placeholder=t("forms.action_kind_hint"),
            format_func=lambda k: label("action_kind", k),
        )
        field_error(form, "action_kind")
        st.text_area(t("forms.action"), key="ra_action", placeholder=t("forms.action_hint"))
        field_error(form, "action")
        c3, c4, c5 = st.columns(3)
        _status_boxes(form, "ra", c3, c4)
        with c5:
            st.date_input(t("forms.due_on"), value=None, min_value=clock.today(), key="ra_due")
            field_error(form, "due_on")
        st.form_submit_button(
            t("forms.submit_action"),
            type="primary",
            key="ra_submit",
            on_click=_save,
            args=(form, write, dict.fromkeys(("ra_account", "ra_kind", "ra_outcome", "ra_due")) | {"ra_action": ""}),
        )
    saved_notice(form, "forms.action_saved")


def _status_boxes(form: str, prefix: str, status_column, outcome_column) -> None:
    with status_column:
        st.selectbox(
            t("forms.status"),
            _enum("action_status"),
            key=f"{prefix}_status",
            format_func=lambda s: label("action_status", s),
        )
        field_error(form, "status")
    with outcome_column:
        st.selectbox(
            t("forms.outcome"),
            _enum("action_outcome"),
            index=None,
            key=f"{prefix}_outcome",
            placeholder=t("forms.outcome_hint"),
            format_func=lambda o: label("outcome", o),
        )
        field_error(form, "outcome")


def action_update_form(actions: pd.DataFrame) -> None:
    """Set the status (and outcome) of one of `actions` (open ones first)."""
    form = "ru"
    if actions.empty:
        st.caption(t("retention.no_actions_to_update"))
        return
    ordered = actions.assign(is_open=actions["status"].isin(daily_work.OPEN_STATUSES))
    ordered = ordered.sort_values(["is_open", "created_at"], ascending=[False, False])
    described = {
        row.action_id: f"{row.account_name} · {row.action[:30]} · {label('action_status', row.status)}"
        for row in ordered.itertuples()
    }

    def write() -> None:
        values = {"action_id": _state("ru_action"), "status": _state("ru_status"), "outcome": _state("ru_outcome")}
        daily_work.update_retention_action(connection(db_path()), values, scope=signin.scope())

    with st.form("ru_form", border=False):
        st.selectbox(
            t("forms.which_action"),
            list(described),
            index=None,
            key="ru_action",
            placeholder=t("forms.pick"),
            format_func=lambda a: described.get(a, a),
        )
        field_error(form, "action_id")
        c1, c2 = st.columns(2)
        _status_boxes(form, "ru", c1, c2)
        st.form_submit_button(
            t("forms.submit_update"),
            key="ru_submit",
            on_click=_save,
            args=(form, write, {"ru_action": None, "ru_outcome": None}),
        )
    saved_notice(form, "forms.update_saved")
