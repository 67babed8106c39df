"""What every page shares: the warehouse connection, the language, the sidebar filters."""

from __future__ import annotations

import contextvars
import datetime as dt
import urllib.parse

import duckdb
import streamlit as st

from analytics import config
from analytics.access import audit, auth, sessions
from analytics.common import filters, i18n
from analytics.models import preparation as pipeline
from analytics.warehouse import db

LANG_KEY = "lang"
FILTER_KEYS = {"districts": "f_districts", "industries": "f_industries", "classes": "f_classes",
               "managers": "f_managers", "month": "f_month"}  # fmt: skip


def db_path() -> str:
    return str(config.db_path())


@st.cache_resource(show_spinner=False)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    """One connection per server; each query takes its own cursor (DuckDB's way for threads)."""
    return db.connect(path)


def cursor() -> duckdb.DuckDBPyConnection:
    return connection(db_path()).cursor()


# ---- language ------------------------------------------------------------------------------


# Set while a download is written outside the script run (where there is no session state).
_LANG_OVERRIDE: contextvars.ContextVar[str | None] = contextvars.ContextVar("needsmine_lang", default=None)


def lang() -> str:
    override = _LANG_OVERRIDE.get()
    if override:
        return override
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    return i18n.text(key, lang(), **values)


def label(kind: str, value: object) -> str:
    return i18n.label(kind, value, lang())


def language_switch() -> None:
    # The state is set before the widget (never a `default` beside a key): a language chosen by
    # a click, a test or a link stays chosen; a click on the selected option would clear it.
    if st.session_state.get(LANG_KEY) not in i18n.LANGUAGES:
        st.session_state[LANG_KEY] = i18n.DEFAULT_LANGUAGE
    st.sidebar.segmented_control(
        t("app.language"), options=list(i18n.LANGUAGES), key=LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code], selection_mode="single",
    )  # fmt: skip


# ---- preparing the warehouse ---------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _prepared(path: str) -> bool:
    bar = st.progress(0.0, text=t("app.preparing"))

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{t('app.preparing')}  {message}")

    pipeline.prepare(config.db_path(path), progress)
    bar.empty()
    return True


def ensure_ready(path: str) -> None:
    """On a fresh clone: generate the demo, build, train and score, with a progress bar."""
    _prepared(path)


# ---- filters -------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def filter_options(path: str) -> filters.FilterOptions:
    return filters.options(connection(path).cursor())


def sidebar_filters() -> None:
    """Draw the shared filters in the sidebar; their keys keep the choice across pages."""
    opts = filter_options(db_path())
    sb = st.sidebar
    sb.header(t("filter.header"))
    months = list(opts.scored_months or opts.months)
    sb.selectbox(t("filter.month"), months, key=FILTER_KEYS["month"], format_func=lambda m: f"{m:%Y-%m}")
    sb.multiselect(t("filter.district"), opts.districts, key=FILTER_KEYS["districts"],
                   format_func=lambda v: label("district", v), placeholder=t("filter.all"))  # fmt: skip
    sb.multiselect(t("filter.industry"), opts.industries, key=FILTER_KEYS["industries"],
                   format_func=lambda v: label("industry", v), placeholder=t("filter.all"))  # fmt: skip
    sb.multiselect(t("filter.class"), opts.classes, key=FILTER_KEYS["classes"],
                   format_func=lambda v: label("class", v), placeholder=t("filter.all"))  # fmt: skip
    chosen_districts = st.session_state.get(FILTER_KEYS["districts"]) or []
    managers = opts.managers
    reach = scope()
    if reach is not None:
        managers = managers[managers["manager_id"].isin(reach)]
    if chosen_districts:
        managers = managers[managers["district"].isin(chosen_districts)]
    names = dict(zip(opts.managers["manager_id"], opts.managers["manager_name"], strict=True))
    sb.multiselect(t("filter.manager"), list(managers["manager_id"]), key=FILTER_KEYS["managers"],
                   format_func=lambda m: f"{m} {names.get(m, '')}", placeholder=t("filter.all"))  # fmt: skip


def current_filters() -> filters.Filters:
    """The filters as the sidebar holds them now (defaults before the sidebar was drawn), narrowed
    to the signed-in user's reach."""
    state = st.session_state
    month = state.get(FILTER_KEYS["month"])
    if month is None:
        opts = filter_options(db_path())
        month = (opts.scored_months or opts.months or (dt.date.today().replace(day=1),))[0]
    return filters.Filters(
        month=month,
        districts=tuple(state.get(FILTER_KEYS["districts"]) or ()),
        industries=tuple(state.get(FILTER_KEYS["industries"]) or ()),
        classes=tuple(state.get(FILTER_KEYS["classes"]) or ()),
        managers=tuple(state.get(FILTER_KEYS["managers"]) or ()),
        scope_managers=scope(),
    )


def scored_month_or_stop(f: filters.Filters) -> None:
    """Pages that show model scores stop with a clear message when the month has none."""
    opts = filter_options(db_path())
    if f.month not in opts.scored_months:
        st.info(t("app.no_scores", months=", ".join(f"{m:%Y-%m}" for m in opts.scored_months) or "—"))
        st.stop()


# ---- the frame around every page -----------------------------------------------------------

_FRAMED = "_framed"
_WANTED = "_wanted_page"


def mark_framed() -> None:
    """app.py calls this on every run, before the page runs."""
    st.session_state[_FRAMED] = True


def require_frame(page_file: str) -> None:
    """First line of every page.

    A page URL opened on a freshly started server, before any session has run app.py, is served
    by Streamlit's legacy `pages/` routing: the page runs alone, without the frame (no filters, no
    language switch, no navigation). Then go through app.py, which routes back to this page
    (with its query parameters) once `st.navigation` is in charge.
    """
    if st.session_state.get(_FRAMED):
        name = page_file.rsplit("/", 1)[-1].removesuffix(".py")
        if current_user() is None:  # run without the frame (legacy routing) and nobody signed in
            st.switch_page("app.py")
        if not may_open(name):  # not in this role's navigation: reached only by a crafted switch
            record("view", f"page {name}", "refused: role")
            st.error(t("signin.forbidden"))
            st.stop()
        record_view(f"page {name}")
        return
    st.session_state[_WANTED] = (f"pages/{page_file.rsplit('/', 1)[-1]}", st.query_params.to_dict())
    st.switch_page("app.py")


def route_wanted_page() -> None:
    """app.py, after st.navigation: send a session that arrived through legacy routing on."""
    wanted = st.session_state.pop(_WANTED, None)
    if wanted:
        page, params = wanted
        if may_open(page.removeprefix("pages/").removesuffix(".py")):
            st.switch_page(page, query_params=params or None)


# ---- who is signed in ----------------------------------------------------------------------

USER_KEY = "_user"
SCOPE_KEY = "_scope"
TOKEN_KEY = "_session_token"  # this browser's remembered sign-in (see analytics/access/sessions.py)
ENDED_TOKEN_KEY = "_ended_session_token"  # the one this session signed out of: the cookie is removed

# The pages each role reaches (file names under pages/); admin reaches every page.
ROLE_PAGES: dict[str, frozenset[str]] = {
    "manager": frozenset({"portfolio", "account", "opportunities", "compliance", "competitor_reports", "interviews",
                          "retention"}),
    "head": frozenset({"portfolio", "account", "opportunities", "trends", "model_quality", "compliance",
                       "competitor_reports", "interviews", "retention", "warehouse"}),
    "analyst": frozenset({"portfolio", "account", "trends", "model_quality", "compliance", "warehouse"}),
}  # fmt: skip


def current_user() -> auth.User | None:
    return st.session_state.get(USER_KEY)


def user() -> auth.User:
    """The signed-in user (the frame has stopped the run before any page when there is none)."""
    found = current_user()
    if found is None:
        st.stop()
    return found


def may_open(page: str) -> bool:
    """Whether the signed-in user's role reaches page `page` (a file name under pages/, no .py)."""
    who = current_user()
    return who is not None and (who.is_admin or page in ROLE_PAGES.get(who.role, frozenset()))


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
    who = current_user()
    return who is not None and who.sees_personal_data


def record_view(obj: str) -> None:
    """A 'view' event when the user opens something other than what they viewed last (a rerun of
    the same page or account is not a new view)."""
    if st.session_state.get("_last_viewed") != obj:
        st.session_state["_last_viewed"] = obj
        record("view", obj)


def export_callback(obj: str, file_name: str):
    """on_click of a download button: the export goes to the audit trail."""
    return lambda: record("export", obj, file_name)


def audited_export(obj: str, file_name: str, make):
    """Data of a download button written only when clicked (`make()`), the export recorded then.
    It runs outside the script run, so who and where are taken now."""
    who, con, language = current_user(), connection(db_path()), lang()

    def data():
        audit.record(con.cursor(), who.username if who else "—", who.role if who else None, "export", obj, file_name)
        token = _LANG_OVERRIDE.set(language)
        try:
            return make()
        finally:
            _LANG_OVERRIDE.reset(token)

    return data


def record(action: str, obj: str, detail: str | None = None) -> None:
    """Write an event of the signed-in user to the audit trail."""
    who = current_user()
    audit.record(cursor(), who.username if who else "—", who.role if who else None, action, obj, detail)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):  # no secrets file at all
        return False


def _sign_in_form() -> None:
    st.title(t("app.title"))
    st.subheader(t("signin.title"))
    with st.form("signin", border=True):
        username = st.text_input(t("signin.username"), key="signin_username")
        password = st.text_input(t("signin.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("signin.submit"), type="primary")
    if submitted:
        result = auth.sign_in(cursor(), username.strip(), password)
        if result.user is not None:
            _signed_in(result.user, sessions.start(cursor(), result.user))
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


def asked_page(pages_by_url: dict[str, str]) -> str | None:
    """The page (file name under pages/) whose address the browser asked for, if any."""
    url = getattr(st.context, "url", None) or ""
    path = urllib.parse.urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]
    return pages_by_url.get(path)


def sign_in_gate(asked_page: str | None = None) -> auth.User:
    """Stop the run with the sign-in form unless someone is signed in (locally or through OIDC,
    whose identity must match an active user: its e-mail or preferred user name).

    `asked_page` (a file name under pages/) and the query parameters are where the person was
    going: once signed in, the frame routes there if their role may open it."""
    found = current_user()
    if found is not None:
        return found
    remembered = _resume_session()
    if remembered is not None:
        return remembered
    if asked_page and _WANTED not in st.session_state:
        st.session_state[_WANTED] = (f"pages/{asked_page}.py", st.query_params.to_dict())
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
    _sign_in_form()
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


def _resume_session() -> auth.User | None:
    """The user of the browser's remembered sign-in, if it is still live (a reload of the tab)."""
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (bare runs, AppTest): nothing to resume
        return None
    if not isinstance(token, str) or not token:
        return None  # (AppTest's context has no real cookies)
    user = sessions.resume(cursor(), token)  # None for the token this session signed out of
    if user is not None:
        _signed_in(user, token)
    return user


def _signed_in(user: auth.User, token: str | None) -> None:
    """`user` is signed in to this session (by password, remembered token or OIDC)."""
    st.session_state[USER_KEY] = user
    st.session_state.pop(SCOPE_KEY, None)
    if token is not None:
        st.session_state[TOKEN_KEY] = token


def sign_out_button() -> None:
    who = current_user()
    if who is None:
        return
    sb = st.sidebar
    sb.caption(t("signin.as", name=who.display_name, role=label("user_role", who.role)))
    if sb.button(t("signin.sign_out"), key="sign_out"):
        record("sign_out", "session")
        token = st.session_state.pop(TOKEN_KEY, None)
        sessions.end(cursor(), token)
        st.session_state[ENDED_TOKEN_KEY] = token
        for key in (USER_KEY, SCOPE_KEY):
            st.session_state.pop(key, None)
        if _oidc_configured() and getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
