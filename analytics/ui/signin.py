"""Who is signed in: the sign-in form (password, or OIDC through `st.login`), the browser's remembered
sign-in (a cookie, see analytics/access/sessions.py), signing out, and what the signed-in user
reaches — the pages (`may_open`, from analytics/access/pages.py) and the accounts (`scope`)."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from analytics.access import audit, auth, pages, sessions
from analytics.ui import text
from analytics.ui.connection import cursor
from analytics.ui.language import label, t

USER_KEY = "_user"
SCOPE_KEY = "_scope"
TOKEN_KEY = "_session_token"  # this browser's remembered sign-in (see analytics/access/sessions.py)
ENDED_TOKEN_KEY = "_ended_session_token"  # the one this session signed out of: the cookie is removed
REVOKED_KEY = "_session_revoked"  # this tab's session was ended elsewhere: the form says so once


def current_user() -> auth.User | None:
    """The user signed in to this session, or None."""
    return st.session_state.get(USER_KEY)


def may_open(page: str) -> bool:
    """Whether the signed-in user may open page `page` (a file name under pages/, no .py)."""
    who = current_user()
    return pages.may_open(who.role if who else None, page)


def scope() -> tuple[str, ...] | None:
    """The managers whose accounts the signed-in user may reach (None: all). With nobody signed
    in, nothing is reachable."""
    who = current_user()
    if who is None:
        return ()
    if SCOPE_KEY not in st.session_state:
        st.session_state[SCOPE_KEY] = auth.scope_managers(cursor(), who)
    return st.session_state[SCOPE_KEY]


def sees_personal_data() -> bool:
    """Whether the signed-in user may read key people's names and interview notes unmasked."""
    who = current_user()
    return who is not None and who.sees_personal_data


def signed_in_user() -> auth.User | None:
    """The user of this session: already signed in (checked again on every run), resumed from the
    browser's remembered sign-in, or known through OIDC (whose identity must match an active user
    by its e-mail or preferred user name; an unknown identity stops the run with an error). None:
    the form must be shown."""
    found = _still_signed_in() or _resume_session()
    if found is not None:
        return found
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        for claim in ("email", "preferred_username", "sub"):
            value = st.user.get(claim)
            mapped = auth.get_user(cursor(), value) if value else None
            if mapped is not None:
                _signed_in(mapped, None)  # OIDC keeps its own cookie
                audit.record(cursor(), mapped.username, mapped.role, "sign_in", "session", "oidc")
                return mapped
        st.error(t("signin.oidc_unknown"))
        if st.button(t("signin.sign_out")):
            st.logout()
        st.stop()
    return None


def sign_in_form() -> NoReturn:
    """Show the sign-in form and stop the run: nothing else is drawn for someone not signed in.
    A successful sign-in starts a remembered session and reruns the app."""
    st.title(t("app.title"))
    st.subheader(t("signin.title"))
    if st.session_state.pop(REVOKED_KEY, False):
        st.warning(t("signin.ended"))
    with st.form("signin", border=True):
        username = st.text_input(t("signin.username"), key="signin_username")
        password = st.text_input(t("signin.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("signin.submit"), type="primary")
    if submitted:
        result = auth.sign_in(cursor(), username.strip(), password)
        if result.user is not None:
            _signed_in(result.user, sessions.start(cursor(), result.user, user_agent=_user_agent()))
            st.rerun()
        elif result.reason == "locked":
            st.error(t("signin.locked", until=f"{result.locked_until:%H:%M}"))
        else:
            st.error(t("signin.failed"))
    if _oidc_configured():
        st.divider()
        if st.button(t("signin.oidc"), key="signin_oidc"):
            st.login()
    st.caption(t("signin.demo_hint", password=auth.DEMO_PASSWORD))
    st.stop()


def write_session_cookie() -> None:
    """Keep the browser's cookie in step with this session: the token while someone is signed in,
    removed after a sign-out. Rendered on every run (a run may be cut short by a page switch
    before its elements reach the browser; setting the same cookie again changes nothing)."""
    token = st.session_state.get(TOKEN_KEY)
    if token is None and ENDED_TOKEN_KEY not in st.session_state:
        return
    secure = (getattr(st.context, "url", None) or "").startswith("https:")
    with st.sidebar:
        st.html(sessions.cookie_script(token, secure=secure), unsafe_allow_javascript=True)


def sign_out_button() -> None:
    """Who is signed in, and the button that signs them out (ending the remembered sign-in)."""
    who = current_user()
    if who is None:
        return
    sb = st.sidebar
    sb.caption(text.fill("signin.as", name=who.display_name, role=label("user_role", who.role)))
    if sb.button(t("signin.sign_out"), key="sign_out"):
        audit.record(cursor(), who.username, who.role, "sign_out", "session")
        token = st.session_state.pop(TOKEN_KEY, None)
        sessions.end(cursor(), token)
        st.session_state[ENDED_TOKEN_KEY] = token
        for key in (USER_KEY, SCOPE_KEY):
            st.session_state.pop(key, None)
        if _oidc_configured() and getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):  # no secrets file at all
        return False


def _resume_session() -> auth.User | None:
    """The user of the browser's remembered sign-in, if it is still live (a reload of the tab)."""
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (bare runs, AppTest): nothing to resume
        return None
    if not isinstance(token, str) or not token:
        return None  # (AppTest's context has no real cookies)
    found = sessions.resume(cursor(), token, user_agent=_user_agent())  # None once signed out of
    if found is not None:
        _signed_in(found, token)
    return found


def _signed_in(who: auth.User, token: str | None) -> None:
    """`who` is signed in to this session (by password, remembered token or OIDC)."""
    st.session_state[USER_KEY] = who
    st.session_state.pop(SCOPE_KEY, None)
    if token is not None:
        st.session_state[TOKEN_KEY] = token


def _still_signed_in() -> auth.User | None:
    """The user signed in to this tab, as the warehouse has them now — checked on every run: the
    session's token still live (not ended, not expired, its user active, their sessions not ended
    by a password, role or scope change or by an admin), or for an OIDC sign-in the user still
    active and unchanged. A session that no longer holds is signed out here (the form says so)."""
    who = current_user()
    if who is None:
        return None
    token = st.session_state.get(TOKEN_KEY)
    fresh = sessions.check(cursor(), token) if token else auth.current(cursor(), who)
    if fresh is None:
        audit.record(cursor(), who.username, who.role, "sign_out", "session", "session no longer valid")
        st.session_state[ENDED_TOKEN_KEY] = st.session_state.pop(TOKEN_KEY, None)
        for key in (USER_KEY, SCOPE_KEY):
            st.session_state.pop(key, None)
        st.session_state[REVOKED_KEY] = True
        return None
    if fresh != who:  # same epoch, so only a display name can differ: keep the record current
        _signed_in(fresh, token)
    return fresh


def _user_agent() -> str | None:
    """The browser's user agent (None without a browser: AppTest, bare runs)."""
    try:
        return st.context.headers.get("User-Agent")
    except Exception:  # noqa: BLE001 - no browser context
        return None
