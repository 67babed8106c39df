"""The page registry (analytics/access/pages.py) against the page files, the roles and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.access import auth, pages
from analytics.common import i18n

ROOT = Path(__file__).resolve().parents[2]

# How the README's demo-users table names the pages a user reaches.
README_PAGE_WORDS = {
    "my agenda": {"agenda"},
    "overview": {"portfolio"},
    "account view": {"account"},
    "my opportunities": {"opportunities"},
    "trends": {"trends"},
    "model quality": {"model_quality"},
    "compliance": {"compliance"},
    "data": {"warehouse"},
    "data import": {"data_import"},
    "daily-work pages": {page.name for page in pages.PAGES if page.group == "group.daily"},
}
ALL_PAGES = {page.name for page in pages.PAGES}
README_WHOLE = {
    "every page but administration and data import": ALL_PAGES - {"admin", "data_import"},
    "everything": ALL_PAGES,
}


def test_every_page_file_is_registered_and_every_registered_page_has_its_file():
    files = {path.stem for path in (ROOT / "pages").glob("*.py") if path.stem != "__init__"}
    assert files == ALL_PAGES
    assert len(pages.PAGES) == len(ALL_PAGES)  # no page twice
    assert all((ROOT / page.file).is_file() for page in pages.PAGES)


def test_addresses_are_unique_and_titles_and_groups_are_worded_in_both_languages():
    urls = [page.url for page in pages.PAGES]
    assert len(set(urls)) == len(urls)
    assert all(re.fullmatch(r"[a-z][a-z-]*", url) for url in urls)  # st.Page takes no slash
    for page in pages.PAGES:
        for language in i18n.LANGUAGES:
            assert i18n.text(page.title_key, language).strip()
            assert i18n.text(page.group, language).strip()
        assert pages.at_url(page.url) == page and pages.get(page.file) == page


def test_roles_are_the_known_roles_and_admin_reaches_every_page():
    named = set().union(*(page.roles for page in pages.PAGES))
    assert named <= set(auth.ROLES) - {pages.ADMIN}
    assert named == set(auth.ROLES) - {pages.ADMIN}  # every other role reaches some page
    assert {page.name for page in pages.for_role(pages.ADMIN)} == ALL_PAGES
    assert all(pages.may_open(pages.ADMIN, name) for name in ALL_PAGES)


def test_may_open_follows_the_registry_and_refuses_nobody_and_unknown_pages():
    assert pages.may_open("head", "trends") and pages.may_open("analyst", "trends")
    assert not pages.may_open("manager", "trends")
    assert not pages.may_open("head", "admin")
    assert not pages.may_open(None, "portfolio")  # nobody signed in
    assert not pages.may_open(pages.ADMIN, "no_such_page")
    assert [p.name for p in pages.for_role("manager")] == [p.name for p in pages.PAGES if "manager" in p.roles]
    with pytest.raises(KeyError):
        pages.get("no_such_page")


def _readme_demo_users() -> dict[str, set[str]]:
    """The README's demo-users table: user name → the pages its 'reaches' column names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, flags=re.MULTILINE)
    reached: dict[str, set[str]] = {}
    for username, reaches in rows:
        words = reaches.split(" — ")[0]  # after the dash: what is masked, not which pages
        whole = next((names for phrase, names in README_WHOLE.items() if phrase in words), None)
        if whole is not None:
            reached[username] = whole
            continue
        # "only the accounts they manage: overview, …": the pages come after the colon
        listed = [w.strip() for w in words.split(":")[-1].split(",")]
        reached[username] = set().union(*(README_PAGE_WORDS[w] for w in listed))
    return reached


def test_the_readme_demo_users_table_agrees_with_the_registry(empty_con):
    empty_con.execute(
        "insert into managers (manager_id, manager_name, district, team) values ('M00001', '张三', '浦东', 'A组')"
    )
    empty_con.execute(
        "insert into accounts (account_id, account_name, industry, district, value_class, is_key_account, "
        "manager_id, employee_count, ownership, opened_on, status) values "
        "('3100000001', '甲公司', '制造业', '浦东', 'A', false, 'M00001', 100, '民营企业', '2020-01-01', '在网')"
    )
    roles = {user.username: user.role for user in auth.ensure_demo_users(empty_con)}
    readme = _readme_demo_users()
    assert set(readme) == set(roles)  # the table lists exactly the demo users
    for username, reached in readme.items():
        assert {page.name for page in pages.for_role(roles[username])} == reached, username
