"""系统管理 (admins): users and their roles, the audit trail, retraining the models."""

import streamlit as st

from analytics.access import audit, auth
from analytics.ui import admin as admin_ui
from analytics.ui import refresh, retrain, routing, tables, text, trail
from analytics.ui.connection import cursor
from analytics.ui.language import label, t

routing.require_app(__file__)
st.title(t("admin.title"))
users_tab, audit_tab, models_tab = st.tabs([t("admin.users"), t("admin.audit"), t("admin.models")])

with users_tab:
    tables.table(auth.users(cursor()), "admin", key="admin_users", worded=admin_ui.worded)
    with st.form("admin_add_user", clear_on_submit=True):
        st.subheader(t("admin.add_user"))
        c1, c2, c3 = st.columns(3)
        username = c1.text_input(t("admin.username"), key="admin_new_username")
        display_name = c2.text_input(t("admin.display_name"), key="admin_new_display_name")
        role = c3.selectbox(
            t("admin.role"), auth.ROLES, format_func=lambda r: label("user_role", r), key="admin_new_role"
        )
        c4, c5, c6 = st.columns(3)
        manager_id = c4.text_input(t("admin.manager_id"), help=t("admin.manager_id_help"), key="admin_new_manager")
        district = c5.text_input(t("admin.district"), help=t("admin.district_help"), key="admin_new_district")
        password = c6.text_input(
            t("admin.password"), type="password", help=t("admin.password_help"), key="admin_new_password"
        )
        if st.form_submit_button(t("admin.save"), type="primary"):
            try:
                made = auth.add_user(
                    cursor(),
                    username,
                    password or None,
                    role,
                    display_name=display_name or None,
                    manager_id=manager_id.strip() or None,
                    district=district.strip() or None,
                )
            except auth.AuthError as err:
                st.error(text.fill("admin.refused", reason=t(err.key, **err.params) if err.key else str(err)))
            else:
                trail.record("admin", f"user {made.username}", f"saved with role {made.role}")
                st.success(text.fill("admin.saved", name=made.username))
    st.subheader(t("admin.user_actions"))
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 1, 1], vertical_alignment="bottom")
    who = c1.text_input(t("admin.username"), key="admin_target").strip()
    actions = {
        "unlock": (c2, auth.unlock, "unlocked"),
        "deactivate": (c3, lambda con, name: auth.set_active(con, name, False), "deactivated: sessions ended"),
        "activate": (c4, lambda con, name: auth.set_active(con, name, True), "activated"),
        "end_sessions": (c5, auth.end_sessions, "sessions ended"),
    }
    for action, (column, act, what) in actions.items():
        if column.button(t(f"admin.{action}"), disabled=not who, key=f"admin_{action}"):
            if act(cursor(), who):
                trail.record("admin", f"user {who}", what)
                st.success(text.fill("admin.done", name=who, action=t(f"admin.{action}")))
            else:
                st.error(text.fill("admin.no_such_user", name=who))

with audit_tab:
    c1, c2 = st.columns(2)
    only_user = c1.text_input(t("admin.filter_user"), key="audit_user")
    only_action = c2.selectbox(
        t("admin.filter_action"),
        [None, *audit.ACTIONS],
        key="audit_action",
        format_func=lambda a: t("filter.all") if a is None else label("audit_action", a),
    )
    events = audit.events(cursor(), username=only_user.strip() or None, action=only_action)
    tables.table(events, "admin", key="admin_events", worded=admin_ui.worded)

with models_tab:
    st.subheader(t("refresh.start"))
    refresh.panel("admin_refresh")
    st.subheader(t("admin.retrain"))
    st.caption(t("admin.retrain_help"))
    retrain.control("admin_retrain")
