"""The language of the UI: which one this session reads (`lang`), its texts (`t`, `label`) and the
switch in the sidebar. The texts themselves live in analytics/common/i18n/*.csv."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import streamlit as st

from analytics.common import i18n

LANG_KEY = "lang"

# Set while a download is written outside the script run (where there is no session state).
_OVERRIDE: contextvars.ContextVar[str | None] = contextvars.ContextVar("needsmine_lang", default=None)


def lang() -> str:
    """The language code this run speaks (`zh` or `en`)."""
    override = _OVERRIDE.get()
    if override:
        return override
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The text `key` in this run's language, with `values` filled in."""
    return i18n.text(key, lang(), **values)


def label(kind: str, value: object) -> str:
    """The display label of a coded `value` of `kind` (a district, an industry, a role …)."""
    return i18n.label(kind, value, lang())


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """`t`, `label` and `lang` answer in `language` inside this block: a file written when its
    download button is clicked runs outside the script run, with no session state to read."""
    token = _OVERRIDE.set(language)
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


def language_switch() -> None:
    """Draw the language switch in the sidebar."""
    # The state is set before the widget (never a `default` beside a key): a language chosen by
    # a click, a test or a link stays chosen; a click on the selected option would clear it.
    if st.session_state.get(LANG_KEY) not in i18n.LANGUAGES:
        st.session_state[LANG_KEY] = i18n.DEFAULT_LANGUAGE
    st.sidebar.segmented_control(
        t("app.language"),
        options=list(i18n.LANGUAGES),
        key=LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        selection_mode="single",
    )
