"""The pipeline's forms (商机): create one in one step from values prefilled where the user
started (an opportunity card, a recommendation, a row of 我的商机, an interview's voiced need), and
follow the open ones — move the stage, set the next step, close as won or lost.

Forms save in callbacks (as the daily-work forms do, `analytics/ui/forms.py`): the write in
`analytics/views/pipeline/writes.py` validates, enforces the user's scope, audits; its problems are
shown beside their fields. A change carries the version of the opportunity drawn on the screen, so
a concurrent edit is refused with a message rather than overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.common import clock, rules
from analytics.common.filters import Filters
from analytics.config import AREAS
from analytics.ui import agenda, forms, signin, tables, text
from analytics.ui.connection import connection, db_path
from analytics.ui.language import label, lang, t
from analytics.views.pipeline import checks, reads, writes

NEW = "pl_new"  # the opportunity being created: {account_id, account_name, source}
_FIELDS = {
    "area": "pl_area",
    "product_ids": "pl_products",
    "expected_monthly_yuan": "pl_monthly",
    "expected_one_off_yuan": "pl_one_off",
    "expected_close_month": "pl_close",
    "owner_id": "pl_owner",
    "next_step": "pl_step",
    "next_step_on": "pl_step_on",
}


def may_write() -> bool:
    """Whether the signed-in user writes opportunities (an analyst reads the account view only)."""
    who = signin.current_user()
    return who is not None and who.role in writes.WRITERS


def pipeline_rules() -> rules.Pipeline:
    return rules.load().pipeline


def open_opportunities(account_id: str | None = None) -> pd.DataFrame:
    """The open opportunities within the user's reach (of one account, or all): read fresh, never cached."""
    return reads.opportunities(connection(db_path()).cursor(), signin.scope(), account_id=account_id)


def account_opportunities(account_id: str) -> pd.DataFrame:
    return reads.opportunities(connection(db_path()).cursor(), signin.scope(), account_id=account_id, open_only=False)


def stage_text(stage: str) -> str:
    return reads.stage_label(stage, lang())


# ---- creating ---------------------------------------------------------------------------------


def start(
    account: dict[str, object], area: str, month: dt.date | None, source: str, product_id: str | None = None
) -> None:
    """Callback: open the create form for `account` and `area` (and one product), its fields prefilled."""
    cur = connection(db_path()).cursor()
    values = reads.prefill(cur, account, area, month, source=source, product_id=product_id, lang=lang())
    st.session_state[NEW] = {
        "account_id": account["account_id"],
        "account_name": str(account.get("account_name") or ""),
        "source": source,
    }
    for name, key in _FIELDS.items():
        st.session_state[key] = values[name]
    st.session_state["pl_errors"] = {}


def _cancel() -> None:
    st.session_state.pop(NEW, None)
    st.session_state["pl_errors"] = {}


def _save(form: str, write: Callable[[], object], after: Callable[[], None] | None = None) -> None:
    try:
        saved = write()
    except writes.ValidationError as err:
        st.session_state[f"{form}_errors"] = err.problems
        return
    st.session_state[f"{form}_errors"] = {}
    st.session_state[f"{form}_saved"] = saved if isinstance(saved, str) else "✓"
    agenda.clear()  # a next step or a stage moved: the agenda is read again
    if after:
        after()


def create_form(filters: Filters) -> None:
    """The create form, when a start button opened it (`start`); nothing otherwise."""
    new = st.session_state.get(NEW)
    form = "pl"
    forms.saved_notice(form, "pipeline.created")
    if not new or not may_write():
        return
    user = signin.current_user()

    def write() -> str:
        values = {name: st.session_state.get(key) for name, key in _FIELDS.items()}
        values |= {"account_id": new["account_id"], "source": new["source"]}
        return writes.create_opportunity(connection(db_path()), user, values)

    area = st.session_state.get("pl_area") or AREAS[0]
    catalogue = reads.area_products(connection(db_path()).cursor(), area)
    names = dict(zip(catalogue["product_id"], catalogue["product_name"], strict=True))
    with st.container(border=True):
        st.markdown(f"**{t('pipeline.new_title')}**")
        st.caption(text.fill("pipeline.new_for", id=new["account_id"], name=new["account_name"]))
        forms.field_error(form, "account_id")
        c1, c2 = st.columns(2)
        with c1:
            st.selectbox(t("pipeline.field.area"), list(AREAS), key="pl_area", format_func=lambda a: label("area", a))
            forms.field_error(form, "area")
        with c2:
            chosen = [p for p in st.session_state.get("pl_products") or [] if p in names]
            st.session_state["pl_products"] = chosen  # another area's products leave with it
            st.multiselect(
                t("pipeline.field.products"), list(names), key="pl_products", format_func=lambda p: names.get(p, p)
            )
            forms.field_error(form, "product_ids")
        c3, c4, c5 = st.columns(3)
        with c3:
            st.number_input(t("pipeline.field.monthly"), min_value=0, step=100, key="pl_monthly")
            forms.field_error(form, "expected_monthly_yuan")
        with c4:
            st.number_input(t("pipeline.field.one_off"), min_value=0, step=1000, key="pl_one_off")
            forms.field_error(form, "expected_one_off_yuan")
        with c5:
            st.date_input(t("pipeline.field.close_month"), min_value=clock.today().replace(day=1), key="pl_close")
            forms.field_error(form, "expected_close_month")
        c6, c7, c8 = st.columns(3)
        with c6:
            forms._manager_box("pipeline.field.owner", "pl_owner", filters, placeholder="forms.manager_default")
            forms.field_error(form, "owner_id")
        with c7:
            st.text_input(t("pipeline.field.next_step"), key="pl_step", max_chars=checks.MAX_NEXT_STEP)
            forms.field_error(form, "next_step")
        with c8:
            st.date_input(t("pipeline.field.next_step_on"), min_value=clock.today(), key="pl_step_on")
            forms.field_error(form, "next_step_on")
        b1, b2 = st.columns(2)
        b1.button(t("pipeline.create"), type="primary", key="pl_create", on_click=_save, args=(form, write, _cancel))
        b2.button(t("pipeline.cancel"), key="pl_cancel", on_click=_cancel)
        if forms._errors(form):
            st.warning(t("forms.not_saved"), icon=":material/warning:")


# ---- following up ------------------------------------------------------------------------------


def _load(row: pd.Series) -> None:
    """Put the picked opportunity's values into the follow-up fields when it (or its version) changes."""
    loaded = (row["opportunity_id"], int(row["version"]))
    if st.session_state.get("pf_loaded") == loaded:
        return
    st.session_state["pf_loaded"] = loaded
    st.session_state["pf_stage"] = row["stage"] if row["stage"] in pipeline_rules().stages else None
    st.session_state["pf_step"] = "" if pd.isna(row["next_step"]) else str(row["next_step"])
    on = row["next_step_on"]
    st.session_state["pf_step_on"] = None if pd.isna(on) else max(pd.Timestamp(on).date(), clock.today())
    for key in ("pf_outcome", "pf_reason", "pf_competitor"):
        st.session_state.pop(key, None)


def follow_up(open_frame: pd.DataFrame) -> None:
    """The 商机跟进 section: the open opportunities, then the picked one's history and its three forms."""
    p = pipeline_rules()
    for form, key in (("pf_stage", "pipeline.stage_saved"), ("pf_next", "pipeline.step_saved")):
        forms.saved_notice(form, key)
    forms.saved_notice("pf_close", "pipeline.closed")
    if open_frame.empty:
        st.info(t("pipeline.none_open"))
        return
    tables.table(reads.follow_up_table(open_frame, lang()), "pipeline", key="pipeline_open")
    described = {
        row.opportunity_id: f"{row.account_name} · {label('area', row.area)} · {stage_text(row.stage)}"
        for row in open_frame.itertuples()
    }
    if st.session_state.get("pf_pick") not in described:
        st.session_state.pop("pf_pick", None)
    picked = st.selectbox(t("pipeline.pick"), list(described), key="pf_pick", format_func=lambda o: described.get(o, o))
    row = open_frame[open_frame["opportunity_id"] == picked].iloc[0]
    _load(row)
    user, version = signin.current_user(), int(row["version"])
    base = {"opportunity_id": picked, "version": version}

    def stage_write() -> int:
        values = base | {"stage": st.session_state.get("pf_stage")}
        return writes.move_stage(connection(db_path()), user, values)

    def step_write() -> int:
        values = base | {
            "next_step": st.session_state.get("pf_step"),
            "next_step_on": st.session_state.get("pf_step_on"),
        }
        return writes.update_next_step(connection(db_path()), user, values)

    def close_write() -> int:
        values = base | {
            "outcome": st.session_state.get("pf_outcome"),
            "lost_reason": st.session_state.get("pf_reason"),
            "lost_competitor": st.session_state.get("pf_competitor"),
        }
        return writes.close_opportunity(connection(db_path()), user, values)

    history = reads.history(connection(db_path()).cursor(), picked, signin.scope())
    with st.expander(t("pipeline.history", n=int(row["proposal_count"]))):
        tables.table(reads.history_table(history, lang()), "pipeline", key="pipeline_history")
    left, middle, right = st.columns(3)
    with left.container(border=True):
        st.markdown(f"**{t('pipeline.move_title')}**")
        st.selectbox(t("pipeline.field.stage"), list(p.stages), key="pf_stage", format_func=stage_text)
        _form_errors("pf_stage", ("stage",), shared=True)
        st.button(t("pipeline.move"), key="pf_move", type="primary", on_click=_save, args=("pf_stage", stage_write))
    with middle.container(border=True):
        st.markdown(f"**{t('pipeline.step_title')}**")
        st.text_input(t("pipeline.field.next_step"), key="pf_step", max_chars=checks.MAX_NEXT_STEP)
        _form_errors("pf_next", ("next_step",), shared=True)
        st.date_input(t("pipeline.field.next_step_on"), min_value=clock.today(), key="pf_step_on")
        _form_errors("pf_next", ("next_step_on",))
        st.button(t("pipeline.save_step"), key="pf_save_step", on_click=_save, args=("pf_next", step_write))
    with right.container(border=True):
        st.markdown(f"**{t('pipeline.close_title')}**")
        st.radio(t("pipeline.field.outcome"), list(p.closed), key="pf_outcome", format_func=stage_text, horizontal=True)
        _form_errors("pf_close", ("outcome",), shared=True)
        st.selectbox(
            t("pipeline.field.lost_reason"),
            list(p.lost_reasons),
            index=None,
            key="pf_reason",
            placeholder=t("pipeline.lost_only"),
            format_func=lambda r: label("lost_reason", r),
        )
        _form_errors("pf_close", ("lost_reason",))
        st.selectbox(
            t("pipeline.field.lost_competitor"),
            forms._enum("competitor"),
            index=None,
            key="pf_competitor",
            placeholder=t("pipeline.competitor_only", reason=label("lost_reason", p.competitor_reason)),
            format_func=lambda c: label("competitor", c),
        )
        _form_errors("pf_close", ("lost_competitor",))
        st.button(t("pipeline.close"), key="pf_close_button", on_click=_save, args=("pf_close", close_write))


def _form_errors(form: str, fields: tuple[str, ...], *, shared: bool = False) -> None:
    """The problems of `fields`; with `shared`, also those every change form has: the opportunity
    itself (gone, out of reach, closed) and a stale version (someone changed it meanwhile)."""
    for field in (*fields, *(("opportunity_id", "version") if shared else ())):
        forms.field_error(form, field)


# ---- where an opportunity starts ----------------------------------------------------------------


def card_action(account: dict[str, object], area: str, month: dt.date | None, open_frame: pd.DataFrame) -> None:
    """Under an opportunity card: its open opportunity's stage, or a button that starts one."""
    stages = dict(zip(open_frame["area"], open_frame["stage"], strict=True))
    if area in stages:
        st.caption(text.fill("pipeline.in_open", stage=stage_text(stages[area])))
    elif may_write():
        st.button(
            t("pipeline.start"),
            key=f"pl_start_{area}",
            icon=":material/add:",
            on_click=start,
            args=(account, area, month, "card"),
        )


def recommendation_action(
    account: dict[str, object], recommendations: pd.DataFrame, month: dt.date | None, open_frame: pd.DataFrame
) -> None:
    """A recommended product not yet in an open opportunity, picked, and a button that starts one for it."""
    if not may_write():
        return
    taken = reads.open_products(open_frame)
    free = recommendations[
        [(account["account_id"], pid) not in taken for pid in recommendations["product_id"]]
    ].drop_duplicates("product_id")
    if free.empty:
        return
    names = dict(zip(free["product_id"], free["product_name"], strict=True))
    areas = dict(zip(free["product_id"], free["area"], strict=True))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    picked = c1.selectbox(
        t("pipeline.pick_product"),
        list(names),
        key="pl_product_pick",
        format_func=lambda pid: f"{label('area', areas[pid])} · {names[pid]}",
    )
    c2.button(
        t("pipeline.start_from_product"),
        key="pl_start_product",
        on_click=start,
        args=(account, areas.get(picked), month, "recommendation", picked),
    )


def with_marks(
    table: pd.DataFrame, recommendations: pd.DataFrame, account_id: str, open_frame: pd.DataFrame
) -> pd.DataFrame:
    """The account view's recommendations table with a column saying which are in an open opportunity."""
    marks = reads.recommendation_marks(recommendations, account_id, open_frame)
    return table.assign(**{t("pipeline.in_pipeline"): marks})


def row_action(listed: pd.DataFrame, manager_id: str, month: dt.date, open_frame: pd.DataFrame) -> None:
    """Under 我的商机's list: an account of it, picked, and a button that starts an opportunity of
    its best area (the accounts whose best area is already open are left out)."""
    taken = reads.open_areas(open_frame)
    rows = {
        r.account_id: r
        for r in listed.itertuples()
        if isinstance(r.best_area, str) and (r.account_id, r.best_area) not in taken
    }
    if not rows:
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    picked = c1.selectbox(
        t("pipeline.pick_row"),
        list(rows),
        key="pl_row_pick",
        format_func=lambda a: f"{rows[a].priority_rank}. {rows[a].account_name} · {label('area', rows[a].best_area)}",
    )
    row = rows[picked]
    account = {"account_id": row.account_id, "account_name": row.account_name, "manager_id": manager_id}
    c2.button(
        t("pipeline.start_from_row"),
        key="pl_start_row",
        on_click=start,
        args=(account, row.best_area, month, "list"),
    )


def account_list(account_id: str) -> None:
    """This account's opportunities, open and closed, as a table."""
    frame = account_opportunities(account_id)
    if frame.empty:
        st.caption(t("pipeline.none_open"))
        return
    shown = reads.follow_up_table(frame, lang()).assign(
        lost_reason=[label("lost_reason", r) if isinstance(r, str) else "" for r in frame["lost_reason"]],
        lost_competitor=[label("competitor", c) if isinstance(c, str) else "" for c in frame["lost_competitor"]],
    )
    tables.table(shown.drop(columns=["account_name"]), "pipeline", key="pipeline_account")


def list_marks(shown: pd.DataFrame, listed: pd.DataFrame, open_frame: pd.DataFrame) -> pd.DataFrame:
    """我的商机's list with `in_pipeline`: whether the account's best area is in an open opportunity."""
    taken = reads.open_areas(open_frame)
    marks = [(a, area) in taken for a, area in zip(listed["account_id"], listed["best_area"], strict=True)]
    return shown.assign(in_pipeline=marks)


def of_manager(open_frame: pd.DataFrame, manager_id: str | None) -> pd.DataFrame:
    return reads.of_manager(open_frame, manager_id)


def need_action(recent: pd.DataFrame, month: dt.date | None, open_frame: pd.DataFrame) -> None:
    """Under 走访记录: a need voiced in one of the month's interviews (an account and an area not
    yet in an open opportunity), picked, and a button that starts an opportunity of it."""
    if not may_write() or recent.empty:
        return
    taken = reads.open_areas(open_frame)
    needs = {}
    for row in recent.itertuples():
        for area in list(row.needs_found if row.needs_found is not None else []):
            if (row.account_id, area) not in taken and (row.account_id, area) not in needs.values():
                needs[f"{row.interaction_id}|{area}"] = (row.account_id, area)
    if not needs:
        return
    rows = {r.interaction_id: r for r in recent.itertuples()}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")

    def described(key: str) -> str:
        interaction, area = key.split("|")
        r = rows[interaction]
        return f"{pd.Timestamp(r.occurred_at):%m-%d} {r.account_name} · {label('area', area)}"

    picked = c1.selectbox(t("pipeline.pick_need"), list(needs), key="pl_need_pick", format_func=described)
    account_id, area = needs[picked]
    r = rows[picked.split("|")[0]]
    account = {"account_id": account_id, "account_name": r.account_name, "manager_id": r.manager_id}
    c2.button(
        t("pipeline.start_from_need"), key="pl_start_need", on_click=start, args=(account, area, month, "interview")
    )
