"""The page registry: every page of the app, where it sits in the navigation, and who may open it.

This is the one place that says which roles may open a page. `app.py` builds `st.navigation` from it
(in this order, by group) and every access check asks `may_open`. A page's name is the stem of its
file under `pages/`; its title is the i18n text `page.<name>`. The administrator reaches every page.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

ADMIN = "admin"  # the role that reaches every page


@dataclasses.dataclass(frozen=True)
class Page:
    """One page: `name` (the stem of pages/<name>.py), `group` (the i18n key of its navigation
    group), `icon` (a Material icon), `url` (its address below the app's root) and `roles` (the
    roles besides the administrator that may open it)."""

    name: str
    group: str
    icon: str
    url: str
    roles: frozenset[str]

    @property
    def file(self) -> str:
        """The page's script relative to app.py, as `st.Page` and `st.switch_page` take it."""
        return f"pages/{self.name}.py"

    @property
    def title_key(self) -> str:
        """The i18n key of the page's title in the navigation."""
        return f"page.{self.name}"


def _page(name: str, group: str, icon: str, url: str, roles: tuple[str, ...]) -> Page:
    return Page(name, group, icon, url, frozenset(roles))


# Change who may open a page here, and only here.
PAGES: tuple[Page, ...] = (
    _page("agenda", "group.insight", ":material/checklist:", "agenda", ("manager", "head")),
    _page("portfolio", "group.insight", ":material/dashboard:", "portfolio", ("manager", "head", "analyst")),
    _page("account", "group.insight", ":material/apartment:", "account", ("manager", "head", "analyst")),
    _page("opportunities", "group.insight", ":material/target:", "opportunities", ("manager", "head")),
    _page("pipeline", "group.insight", ":material/filter_alt:", "pipeline", ("head",)),
    _page("trends", "group.insight", ":material/trending_up:", "trends", ("head", "analyst")),
    _page("model_quality", "group.insight", ":material/science:", "model-quality", ("head", "analyst")),
    _page("compliance", "group.daily", ":material/rule:", "compliance", ("manager", "head", "analyst")),
    _page("competitor_reports", "group.daily", ":material/swords:", "competitor-reports", ("manager", "head")),
    _page("interviews", "group.daily", ":material/edit_note:", "interviews", ("manager", "head")),
    _page("retention", "group.daily", ":material/support:", "retention", ("manager", "head")),
    _page("warehouse", "group.data", ":material/database:", "warehouse", ("head", "analyst", "data_steward")),
    _page("data_import", "group.data", ":material/upload_file:", "data-import", ("data_steward",)),
    _page("admin", "group.data", ":material/admin_panel_settings:", "admin", ()),
)
# A role's landing page when it is not the first page the role may open: the agenda opens first
# for managers (我的待办), heads keep the overview.
LANDING: dict[str, str] = {"head": "portfolio", "analyst": "portfolio", ADMIN: "portfolio"}
_BY_NAME = {page.name: page for page in PAGES}
_BY_URL = {page.url: page for page in PAGES}


def get(name: str) -> Page:
    """The page named `name` (a file stem under pages/, or that file's path); KeyError if none."""
    return _BY_NAME[PurePath(name).stem]


def at_url(url_path: str) -> Page | None:
    """The page whose address is `url_path` (without slashes), or None."""
    return _BY_URL.get(url_path.strip("/"))


def may_open(role: str | None, name: str) -> bool:
    """Whether a user of `role` may open page `name` (None: nobody signed in, nothing opens; a name
    that is not registered opens for no one)."""
    page = _BY_NAME.get(name)
    return page is not None and role is not None and (role == ADMIN or role in page.roles)


def for_role(role: str | None) -> tuple[Page, ...]:
    """The pages a user of `role` may open, in navigation order."""
    return tuple(page for page in PAGES if may_open(role, page.name))


def landing(role: str | None) -> Page:
    """The page a user of `role` opens on (the root URL): `LANDING`'s when the role may open it,
    else the role's first page. IndexError for a role that reaches no page."""
    name = LANDING.get(role or "")
    if name is not None and may_open(role, name):
        return _BY_NAME[name]
    return for_role(role)[0]
