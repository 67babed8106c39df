"""How a page is reached: the navigation built from the page registry (analytics/access/pages.py),
the one access check and page-view record, done by app.py before a page runs (`open_page`), the
page asked for before signing in, and the guard against Streamlit's legacy routing of `pages/`.

Why the guard (`require_app`, the first line of every page) is still needed: Streamlit 1.67 still
serves a `pages/` folder beside `st.navigation` by its legacy routing. While no session of the
server has yet called `st.navigation` (a fresh server, or one where nobody has got past the
sign-in form), a page URL runs that page alone: no app.py, so no sign-in, no access check, no
filters, and a navigation listing every file (streamlit/runtime/scriptrunner/script_runner.py runs
`_mpa_v1` while `PagesManager.uses_pages_directory` is true; only `st.navigation` clears it).
AppTest runs a page it switches to the same way. The guard then runs app.py in the page's place,
within the same run: the page opens inside the frame, or the sign-in form shows and signing in
leads back to the page, with its query parameters.
"""

from __future__ import annotations

import runpy
import urllib.parse
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.access import pages
from analytics.ui import signin, trail
from analytics.ui.language import t

_WANTED = "_wanted_page"  # (page name, query parameters) to open once app.py is in charge
_IN_APP = "_in_app"  # set while app.py runs a page: the page's guard lets it run
_ASKED_SIGNED_OUT = "_wanted_before_sign_in"  # the wanted page was asked for before signing in
_SIGNED_OUT_NAV = "_signed_out_navigation"  # the hidden navigation of the sign-in form was drawn


def require_app(page_file: str) -> None:
    """The first line of every page (`routing.require_app(__file__)`): a page runs only inside
    app.py. Run alone by Streamlit's legacy routing, it remembers itself and its query parameters
    (the page to open once signed in), runs app.py — which opens this page inside the frame, or
    shows the sign-in form — and ends the run (see this module's docstring)."""
    if st.session_state.get(_IN_APP):
        return
    st.session_state[_WANTED] = (pages.get(page_file).name, st.query_params.to_dict())
    # kept through the reruns of signing in (each runs the page alone again until st.navigation is called)
    st.session_state[_ASKED_SIGNED_OUT] = (
        st.session_state.get(_ASKED_SIGNED_OUT, False) or signin.current_user() is None
    )
    _run_app()
    st.stop()


def remember_asked_page() -> None:
    """Before the sign-in form: keep the page whose address the browser asked for, with its query
    parameters (a link to an account), so that signing in leads there. A page already remembered
    by its guard is kept."""
    if _WANTED in st.session_state:
        return
    path = urllib.parse.urlparse(getattr(st.context, "url", None) or "").path
    asked = pages.at_url(path.rstrip("/").rsplit("/", 1)[-1])
    if asked is not None:
        st.session_state[_WANTED] = (asked.name, st.query_params.to_dict())
        st.session_state[_ASKED_SIGNED_OUT] = True


def hide_navigation() -> None:
    """Before the sign-in form: no navigation drawn. Without it, a fresh server (no session has
    called `st.navigation` yet) lists the raw file names of `pages/`, admin included, beside the
    form, by its legacy routing. The page asked for is remembered before (`remember_asked_page`):
    signing in leads there."""
    every = [st.Page(page.file, title=t(page.title_key), url_path=page.url) for page in pages.PAGES]
    st.navigation(every, position="hidden")
    # Its default page (the registry's first) stays the session's page once signed in: the first
    # signed-in run opens the role's landing page instead (`open_page`).
    st.session_state[_SIGNED_OUT_NAV] = True


def navigation_pages() -> dict[str, list[st.Page]]:
    """The pages the signed-in user may open, by navigation group, titled in this run's language:
    what app.py hands to `st.navigation`."""
    sections: dict[str, list[st.Page]] = {}
    role = _role()
    home = pages.landing(role).name if pages.for_role(role) else None
    for page in pages.for_role(role):
        shown = st.Page(
            page.file, title=t(page.title_key), icon=page.icon, url_path=page.url, default=page.name == home
        )
        sections.setdefault(t(page.group), []).append(shown)
    return sections


def open_page(page: st.Page) -> None:
    """Run `page` (what `st.navigation` chose), or first switch to the page this session was going
    to before it came through app.py. The one access check: a page the role may not open is
    refused — written to the audit trail as 'refused: role' and shown as an error. An opened page
    is written as a 'view' when it is not the one viewed last."""
    chosen = pages.at_url(page.url_path) or pages.landing(_role())  # the default page: the root URL
    wanted = st.session_state.pop(_WANTED, None)
    if st.session_state.pop(_ASKED_SIGNED_OUT, False) and wanted and not signin.may_open(wanted[0]):
        wanted = None  # a link followed before signing in, to a page this role may not open: go home
    if st.session_state.pop(_SIGNED_OUT_NAV, False) and not wanted:  # just signed in: the landing page
        wanted = (pages.landing(_role()).name, {})
    name = wanted[0] if wanted else chosen.name
    if not signin.may_open(name):
        trail.record("view", f"page {name}", "refused: role")
        st.error(t("signin.forbidden"))
        st.stop()
    if wanted and wanted != (chosen.name, st.query_params.to_dict()):
        st.switch_page(pages.get(name).file, query_params=wanted[1] or None)
    trail.record_view(f"page {name}")
    st.session_state[_IN_APP] = True
    try:
        page.run()
    finally:
        st.session_state.pop(_IN_APP, None)


def _role() -> str | None:
    who = signin.current_user()
    return who.role if who else None


def _run_app() -> None:
    """Run app.py within this run, as the legacy routing runs it as its main page: under that
    page's hash, so that app.py's widgets (the language, the sign-in form) keep their ids and
    values from one run to the next (Streamlit makes a widget's id from the active page)."""
    ctx = get_script_run_ctx()
    if ctx is None:  # not a Streamlit run (a bare `python pages/x.py`): nothing to route
        return
    manager = ctx.pages_manager
    app = Path(manager.main_script_path).resolve()
    app_hash = next(
        (h for h, info in manager.get_pages().items() if Path(str(info.get("script_path"))).resolve() == app),
        manager.main_script_hash,
    )
    with ctx.run_with_active_hash(app_hash):
        runpy.run_path(str(app))
