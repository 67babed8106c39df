"""The whole app once in a real headless Chromium: start the server, visit every page, switch the
language, open an account and download its proposal. Screenshots go to `E2E_SCREENSHOTS`
(default: build/e2e-screenshots).

Locally the test skips with a message when no Chromium is found; in CI (`CI=true`) it must run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from analytics.access import pages

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Flags for a closed network (background services would try to reach the internet).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The department head's navigation, from the page registry (every page but administration and data import).
PAGES = tuple(page.url for page in pages.for_role("head"))
ENGLISH_TITLES = {"portfolio": "Portfolio overview", "warehouse": "Data overview"}


def _chromium() -> str | None:
    found = os.environ.get("CHROMIUM") or next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    return found or shutil.which("chromium")


def _need_browser() -> str:
    path = _chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium/Playwright: .ci/run must install chromium and playwright")
        pytest.skip("no Chromium found (install Debian's chromium, or set CHROMIUM=/path); skipping the browser test")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(scored_copy: Path, tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "NEEDSMINE_DB": str(scored_copy)}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {(tmp_path / 'server.log').read_text()}")
    yield url, scored_copy
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished the script run the last action started."""
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=120_000,
    )
    page.wait_for_timeout(300)


def _nav(page, url_path: str) -> None:
    """Click the navigation link of a page (by its Chinese title: the default page's link is /)."""
    from analytics.common import i18n

    title = i18n.text(f"page.{url_path.replace('-', '_')}")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()


def _settle_signin(page) -> None:
    page.wait_for_selector('input[type="password"]', timeout=120_000)
    page.wait_for_timeout(300)


def _sign_in(page, username: str) -> None:
    """Fill the sign-in form as a demo user (the frame shows nothing else before it)."""
    from analytics.access import auth

    _settle_signin(page)
    page.locator('input[type="text"]').first.fill(username)
    page.locator('input[type="password"]').fill(auth.DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    try:
        page.wait_for_selector('input[type="password"]', state="detached", timeout=60_000)
    except Exception as err:  # noqa: BLE001 - say who could not sign in, with the page's own words
        raise AssertionError(
            f"{username} could not sign in: {page.locator('[data-testid=stMain]').inner_text()}"
        ) from err
    _settle(page)


def _no_exception(page, where: str) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()}"


@pytest.mark.slow
def test_every_page_in_a_real_browser(server, tmp_path):
    chromium = _need_browser()
    from playwright.sync_api import sync_playwright

    url, db_file = server
    shots = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "build" / "e2e-screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    from analytics.warehouse import db

    with db.connect(db_file) as con:
        manager_id = con.execute("select manager_id from app_users where username = 'manager'").fetchone()[0]
        other_account, other_name = con.execute(
            "select account_id, account_name from accounts where manager_id != ? order by 1 limit 1", [manager_id]
        ).fetchone()
        account_id, account_name = con.execute(
            "select s.account_id, a.account_name from scores s join accounts a using (account_id) "
            "where s.as_of_month = (select max(as_of_month) from scores) order by s.revenue_at_risk_yuan desc limit 1"
        ).fetchone()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        # The first request to the fresh server is a link to an account (Streamlit's legacy routing
        # of pages/ would run that page alone): the sign-in form comes first, then that account.
        page.goto(f"{url}/account?account={account_id}")
        _settle_signin(page)
        # nothing but the form: no list of pages (the legacy routing lists every file of pages/)
        assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
        _sign_in(page, "head")
        _no_exception(page, "account (first link)")
        assert page.url.endswith(f"/account?account={account_id}")
        assert account_name in page.locator('[data-testid="stMain"]').inner_text()
        page.screenshot(path=str(shots / "zh-signed-in.png"), full_page=True)
        # Then move through the navigation as a person would.
        for name in PAGES:
            _nav(page, name)
            if name != PAGES[0]:  # the default page's address is the root
                # (the account page keeps the account opened first in its address)
                page.wait_for_url(re.compile(rf"/{name}(\?.*)?$"), timeout=60_000)
            _settle(page)
            _no_exception(page, name)
            page.screenshot(path=str(shots / f"zh-{name}.png"), full_page=True)

        # Switch to English in the sidebar; the navigation and the page follow.
        _nav(page, "portfolio")
        _settle(page)
        page.get_by_role("radio", name="English").click()
        page.wait_for_function(
            "() => (document.querySelector('[data-testid=\"stSidebarNav\"]') || {})"
            ".innerText?.includes('Data overview')",
            timeout=60_000,
        )
        _settle(page)
        _no_exception(page, "portfolio (en)")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert ENGLISH_TITLES["portfolio"] in nav and ENGLISH_TITLES["warehouse"] in nav
        page.screenshot(path=str(shots / "en-portfolio.png"), full_page=True)
        page.get_by_role("radio", name="中文").click()
        page.wait_for_function(
            "() => (document.querySelector('[data-testid=\"stSidebarNav\"]') || {}).innerText?.includes('数据概览')",
            timeout=60_000,
        )
        _settle(page)

        # A link to an account opened in the same browser (a new Streamlit session): the
        # remembered sign-in resumes, no password asked; the account opens, its proposal downloads.
        page.goto(f"{url}/account?account={account_id}")
        _settle(page)
        assert page.locator('input[type="password"]').count() == 0, "the reload asked to sign in again"
        _no_exception(page, "account")
        assert account_name in page.locator('[data-testid="stMain"]').inner_text()
        page.screenshot(path=str(shots / "zh-account-picked.png"), full_page=True)
        button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="方案")
        with page.expect_download(timeout=120_000) as info:
            button.first.click()
        target = tmp_path / "proposal.docx"
        info.value.save_as(target)

        # Signed out, a reload asks for the password again (the remembered sign-in ended).
        page.get_by_role("button", name="退出登录").click()
        _settle_signin(page)
        page.reload()
        _settle_signin(page)

        # The same kind of link to another manager's account, signed in as an account manager:
        # their own pages only, and that account stays shut.
        page.goto(f"{url}/account?account={other_account}")
        _sign_in(page, "manager")
        _no_exception(page, "account (manager)")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "客户视图" in nav and "消费趋势" not in nav and "系统管理" not in nav
        assert other_name not in page.locator('[data-testid="stMain"]').inner_text()
        page.screenshot(path=str(shots / "zh-manager-refused.png"), full_page=True)
        browser.close()

    with zipfile.ZipFile(target) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert account_name in body
