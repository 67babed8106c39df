"""The screen tour: a real headless Chromium signs in as each demo user, opens every page the role
may open (analytics/access/pages.py) and every tab, in Chinese, and once (as the head) in English,
and asserts from what the browser rendered (tests/e2e/checks.py): no exception or error box, every
table shows a column that identifies its rows, no cell reads None/nan/NaT/True/False, no text key
or raw code on screen, and the figures that must agree do (accounts at risk on 组合总览, 客户挽留
and 规范执行; accounts in service on 组合总览, 数据概览 (whole-department roles) and 走访记录).

Screenshots: build/screens/<user>[-en]/<page>[-<tab>].png; the time of each step from the action to
the settled page (defined in tests/e2e/tour.py): build/screens/timings.json. These are records, not
timed assertions (benchmarks/bench_browser.py reports them against the goals).

Locally the tour skips with a message when no Chromium is found; in CI (`CI=true`) it must run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from analytics import config
from analytics.access import auth, pages
from analytics.common import i18n
from e2e import checks, tour

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", tour.ROOT / "build" / "screens"))
USERS = ("manager", "district_head", "head", "analyst", "steward", "admin")
ROLE = {"district_head": "head", "steward": "data_steward"}  # the demo users' roles where the name does not say it
TOURS = [(user, "zh") for user in USERS] + [("head", "en")]

# Figures that must agree: (page, KPI label key, take the part after "/").
AT_RISK = (
    ("portfolio", "portfolio.at_risk_accounts", False),
    ("retention", "retention.at_risk", False),
    ("compliance", "compliance.at_risk_without_action", True),
)
# (消费趋势 counts the accounts *billed* in the month, under its own label: another figure.)
IN_SERVICE = (
    ("portfolio", "portfolio.accounts", False),
    ("warehouse", "warehouse.active", False),
    ("interviews", "interviews.accounts", False),
)
# 数据概览 shows the whole warehouse (its caption says so): it agrees with the scoped pages only for
# the roles that see the whole department.
WHOLE_WAREHOUSE = frozenset({"warehouse"})
SCOPED = frozenset({"manager", "district_head"})
_TIMINGS: list[dict] = []


def _need_browser() -> str:
    path = tour.chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium/Playwright: .ci/run must install chromium and playwright")
        pytest.skip("no Chromium found (install Debian's chromium, or set CHROMIUM=/path); skipping the screen tour")
    return path


@pytest.fixture(scope="module")
def app(scored_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app on a private copy of the session's small demo warehouse (sign-ins and the audit
    trail write to it), shared by the tours of this module."""
    chromium = _need_browser()
    folder = tmp_path_factory.mktemp("tour")
    db_file = folder / "tour.duckdb"
    shutil.copy(scored_path, db_file)
    shutil.copytree(config.models_dir(scored_path), config.models_dir(db_file))
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tour.server(db_file, folder / "server.log", start_timeout=180) as url:
        yield chromium, url


def _figures(kpis: dict[str, tuple], lang: str, wanted) -> dict[str, int]:
    """{page: value} of the KPI each page in `wanted` shows (pages not visited are left out)."""
    found = {}
    for page_name, key, denominator in wanted:
        if page_name not in kpis:
            continue
        pattern = checks.label_pattern(key, lang)
        values = [v for label, v in kpis[page_name] if pattern.match(label)]
        found[page_name] = checks.count(values[0], denominator=denominator) if values else None
    return found


def _agree(what: str, figures: dict[str, int | None]) -> list[str]:
    missing = [page for page, value in figures.items() if value is None]
    problems = [f"{what}: no KPI of it found on {page}" for page in missing]
    values = {value for value in figures.values() if value is not None}
    if len(values) > 1:
        problems.append(f"{what} disagree: " + ", ".join(f"{page} {value:,}" for page, value in figures.items()))
    return problems


@pytest.mark.parametrize(("user", "lang"), TOURS, ids=[f"{u}-{lang}" for u, lang in TOURS])
def test_screen_tour(app, user: str, lang: str) -> None:
    chromium, url = app
    role = ROLE.get(user, user)
    folder = SHOTS / (user if lang == "zh" else f"{user}-{lang}")
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    kpis: dict[str, list[tuple[str, str]]] = {}

    def look(d: tour.Driver, name: str) -> None:
        screen = d.read()
        problems.extend(checks.problems(screen, f"{user}/{lang}/{name}", lang))
        d.shot(folder / f"{name}.png")
        kpis.setdefault(name.split("-", 1)[0], []).extend((m["label"], m["value"]) for m in screen.metrics)

    with tour.browser(chromium, url) as d:
        try:
            d.open("/", kind="open")
            d.sign_in(user, auth.DEMO_PASSWORD)
            if lang != "zh":
                d.language("English")
            home = pages.landing(role)
            for n, page in enumerate([home, *(p for p in pages.for_role(role) if p != home)]):
                if n:  # signed in, the role's landing page is open
                    d.nav(i18n.text(page.title_key, lang), page.name)
                tab_bars = d.read().tabs
                look(d, page.name)
                for index in range(1, len(tab_bars[0]) if tab_bars else 0):
                    d.tab(index, f"{page.name} tab {index + 1}")
                    look(d, f"{page.name}-{index + 1}")
                if page.name == "account":  # another account from the list: the account switch
                    d.choose("account", "account", i18n.text("account.pick", lang), sidebar=False)
                    look(d, "account-switched")
            # A filter change in the sidebar (another industry), back on the first page.
            first = pages.landing(role)
            d.nav(i18n.text(first.title_key, lang), first.name)
            d.choose("filter", "industry", i18n.text("filter.industry", lang), sidebar=True)
            look(d, "filtered")
            kpis.pop("filtered", None)
        finally:
            _TIMINGS.extend({"user": user, "lang": lang, **dataclasses.asdict(step)} for step in d.steps)
            (SHOTS / "timings.json").write_text(json.dumps(_TIMINGS, ensure_ascii=False, indent=1))

    kpis = {name: values for name, values in kpis.items() if name in {p.name for p in pages.PAGES}}
    problems += _agree("accounts at risk", _figures(kpis, lang, AT_RISK))
    in_service = [w for w in IN_SERVICE if user not in SCOPED or w[0] not in WHOLE_WAREHOUSE]
    problems += _agree("accounts in service", _figures(kpis, lang, in_service))
    assert not problems, f"{len(problems)} problems on screen:\n" + "\n".join(problems)


def test_a_page_address_opened_before_signing_in_leads_there(app) -> None:
    """`/retention` typed into the browser (a bookmark): the sign-in form, then that page — not
    Streamlit's "Page not found" and not the home page."""
    chromium, url = app
    page = pages.get("pages/retention.py")
    with tour.browser(chromium, url) as d:
        d.open(f"/{page.url}", kind="open")
        assert "Page not found" not in d.page.inner_text("body")
        d.sign_in("manager", auth.DEMO_PASSWORD)
        screen = d.read()
        assert not screen.errors, screen.errors
        assert d.page.url.rstrip("/").endswith(f"/{page.url}"), d.page.url
        heading = d.page.locator('[data-testid="stMain"] h1').first.inner_text()
        assert heading.strip() == i18n.text(page.title_key, "zh")


def test_a_link_to_an_account_resumes_the_sign_in_downloads_the_proposal_and_stays_shut_to_others(
    app, scored_path: Path, tmp_path: Path
) -> None:
    """A link to an account (the first request to the server): the sign-in form alone, then that
    account; the same link again in the same browser resumes the sign-in (no password) and the
    proposal downloads; signed out, a reload asks for the password; a manager following a link to
    another manager's account sees their own pages and not that account."""
    import zipfile

    from analytics.warehouse import db

    chromium, url = app
    with db.connect(scored_path) as con:  # as the other tests of this process open it
        (manager_id,) = con.execute(  # the demo manager: the one with most accounts (auth.ensure_demo_users)
            "select manager_id from accounts group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
        other_account, other_name = con.execute(
            "select account_id, account_name from accounts where manager_id != ? order by 1 limit 1", [manager_id]
        ).fetchone()
        account_id, account_name = con.execute(
            "select s.account_id, a.account_name from scores s join accounts a using (account_id) "
            "where s.as_of_month = (select max(as_of_month) from scores) order by s.revenue_at_risk_yuan desc limit 1"
        ).fetchone()
    main = '[data-testid="stMain"]'
    with tour.browser(chromium, url) as d:
        d.open(f"/account?account={account_id}")
        # nothing but the form: no list of pages (Streamlit's own routing lists every file of pages/)
        assert d.page.locator('[data-testid="stSidebarNav"] a').count() == 0
        d.sign_in("head", auth.DEMO_PASSWORD)
        assert not d.read().errors
        assert d.page.url.endswith(f"/account?account={account_id}")
        assert account_name in d.page.locator(main).inner_text()

        d.open(f"/account?account={account_id}", kind="reopen")  # a new Streamlit session
        assert d.page.locator('input[type="password"]').count() == 0, "the reload asked to sign in again"
        assert account_name in d.page.locator(main).inner_text()
        button = d.page.locator('[data-testid="stDownloadButton"] button').filter(has_text="方案")
        with d.page.expect_download(timeout=120_000) as info:
            button.first.click()
        target = tmp_path / "proposal.docx"
        info.value.save_as(target)

        d.sign_out()
        d.page.reload()
        d.page.wait_for_selector('input[type="password"]', timeout=tour.STEP_TIMEOUT * 1000)

        d.open(f"/account?account={other_account}")
        d.sign_in("manager", auth.DEMO_PASSWORD)
        screen = d.read()
        assert not screen.errors, screen.errors
        nav = d.page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "客户视图" in nav and "消费趋势" not in nav and "系统管理" not in nav
        assert other_name not in d.page.locator(main).inner_text()
    with zipfile.ZipFile(target) as docx:
        assert account_name in docx.read("word/document.xml").decode("utf-8")
