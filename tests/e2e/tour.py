"""The screen tour's machinery, shared by tests/e2e/test_screen_tour.py and benchmarks/bench_browser.py:
start the app on a warehouse, drive a real headless Chromium through it, wait until each step has
settled, and read what is on the screen (errors, tables, KPIs, text).

"Settled" (see `Driver.settle`): after an action (a click, a navigation, a typed value) the step is
settled when (1) the server has sent the `script_finished` message of a run that started after the
action and did not end early for a rerun (read from the app's own websocket, decoded with
Streamlit's protobuf classes: a page that calls `st.rerun` settles only when the last run ends),
(2) no further run has started, (3) the page shows no running indicator
(`[data-testid="stStatusWidget"]`), no stale element (`[data-stale="true"]`, what Streamlit leaves
from the previous run until it is replaced), no skeleton (`stSkeleton`) and every table in view has
drawn its header row, and (4) the browser has painted twice since (two animation frames). The step's
time runs from just before the action to that moment: what a person waits for, script, websocket and
drawing together.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
VIEWPORT = {"width": 1500, "height": 1000}
NO_RUN_GRACE = 10.0  # seconds after an action with no script run started: the action started none
STEP_TIMEOUT = 180.0  # seconds a step may take before the tour gives up on it (a 300,000-account run)


def chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM, Debian's, or one on PATH."""
    found = os.environ.get("CHROMIUM") or next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    return found or shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(db_file: Path, log_file: Path, *, start_timeout: float = 600.0, env: dict | None = None) -> Iterator[str]:
    """`streamlit run app.py` on `db_file`; yields its URL once its health check answers."""
    port = _free_port()
    environment = {**os.environ, "NEEDSMINE_DB": str(db_file), **(env or {})}
    with log_file.open("w") as log:
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
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited ({proc.returncode}): {log_file.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit did not answer in {start_timeout:.0f} s: {log_file.read_text()[-3000:]}"
                    )
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---- what the page shows ---------------------------------------------------------------------------

# One evaluation reads every visible thing the checks need. Glide's data grid draws on a canvas and
# keeps an accessible table beside it (role=grid, columnheader, gridcell) for the rows and columns in
# view: headers and cells are read from there.
_READ = """() => {
  // (checkVisibility: not inside a closed expander, whose content keeps a box but is not drawn)
  const shown = (e) =>
    !!(e && e.getClientRects().length && e.checkVisibility()) && getComputedStyle(e).visibility !== 'hidden';
  const main = document.querySelector('[data-testid="stMain"]');
  const side = document.querySelector('[data-testid="stSidebar"]');
  const all = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const tables = all('[data-testid="stDataFrame"]').filter(shown).map((t) => ({
    headers: all('[role="columnheader"]', t).map((h) => h.textContent.trim()),
    rows: all('[role="row"]', t).map((r) => all('[role="gridcell"]', r).map((c) => c.textContent.trim()))
      .filter((r) => r.length),
    label: (t.closest('[data-testid="stVerticalBlock"]') || t)
      .querySelector('h1,h2,h3,h4,[data-testid="stCaptionContainer"]')?.innerText || '',
  }));
  const metrics = all('[data-testid="stMetric"]').filter(shown).map((m) => ({
    label: (m.querySelector('[data-testid="stMetricLabel"]') || {}).innerText?.trim() || '',
    value: (m.querySelector('[data-testid="stMetricValue"]') || {}).innerText?.trim() || '',
  }));
  const errors = all('[data-testid="stException"]').filter(shown).map((e) => e.innerText.slice(0, 600))
    .concat(all('[data-testid="stAlertContentError"]').filter(shown).map((e) => e.innerText.slice(0, 600)));
  const tabs = all('[data-testid="stTabs"]').filter(shown)
    .map((t) => all('[role="tab"]', t).map((b) => b.innerText.trim()));
  const charts = all('.js-plotly-plot').filter(shown)
    .flatMap((c) => all('.xtick text, .ytick text, .legendtext', c).map((e) => e.textContent.trim()));
  const icons = Array.from(new Set(all('[data-testid="stIconMaterial"], .material-symbols-rounded, .material-icons')
    .map((e) => e.textContent.trim())));
  return {
    charts, icons,
    text: (main ? main.innerText : '') + '\\n' + (side ? side.innerText : ''),
    tables, metrics, errors, tabs,
  };
}"""

_QUIET = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-stale="true"]')
  && !document.querySelector('[data-testid="stSkeleton"]')
  && Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
    .filter((t) => t.getClientRects().length && t.checkVisibility())  // a closed expander's table is never drawn
    .every((t) => t.querySelector('[role="columnheader"]'))"""

_FULL_HEIGHT = """[data-testid="stAppViewContainer"], [data-testid="stMain"], .stApp {
  height: auto !important; overflow: visible !important; position: static !important; }"""

_PAINTED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


@dataclass
class Screen:
    """What one view showed."""

    text: str
    tables: list[dict]
    metrics: list[dict]
    errors: list[str]
    tabs: list[list[str]]
    charts: list[str]
    icons: list[str]  # Material icon names (drawn as ligatures: their text is not shown as text)

    def metric(self, label: str) -> str | None:
        """The value of the KPI labelled `label` (exactly, the help icon aside), or None."""
        for m in self.metrics:
            if m["label"].strip() == label:
                return m["value"]
        return None


@dataclass
class Step:
    kind: str  # sign_in, page, tab, filter, account, language, first_start
    where: str
    seconds: float
    runs: int


@dataclass
class Driver:
    """One browser page on the app, with the websocket watched for the end of each script run."""

    page: object
    url: str
    steps: list[Step] = field(default_factory=list)
    _finished: list[tuple[float, int]] = field(default_factory=list)  # (time, status) of each script_finished
    _started: list[float] = field(default_factory=list)  # time of each run's start (session status running)

    def watch(self) -> None:
        from streamlit.proto import ForwardMsg_pb2

        def frame(payload) -> None:
            if isinstance(payload, str):
                return
            msg = ForwardMsg_pb2.ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:  # noqa: BLE001 - not a ForwardMsg (nothing else is sent, but be safe)
                return
            kind = msg.WhichOneof("type")
            now = time.perf_counter()
            if kind == "script_finished":
                self._finished.append((now, msg.script_finished))
            elif kind == "new_session" or (
                kind == "session_status_changed" and msg.session_status_changed.script_is_running
            ):
                self._started.append(now)

        self.page.on("websocket", lambda ws: ws.on("framereceived", frame))

    def settle(self, since: float, timeout: float = STEP_TIMEOUT) -> int:
        """Wait until the step started at `since` has settled (see the module's docstring); returns
        the number of script runs it took."""
        from streamlit.proto import ForwardMsg_pb2

        early = ForwardMsg_pb2.ForwardMsg.FINISHED_EARLY_FOR_RERUN
        deadline = time.perf_counter() + timeout
        while True:
            if time.perf_counter() - since > NO_RUN_GRACE and not any(at >= since for at in self._started):
                # The action started no run (a choice that changes nothing): settled when quiet.
                self.page.wait_for_function(_QUIET, polling="raf", timeout=timeout * 1000)
                return 0
            done = [(at, status) for at, status in self._finished if at >= since]
            last_start = max((at for at in self._started if at >= since), default=None)
            finished = [at for at, status in done if status != early]
            if finished and (last_start is None or max(finished) >= last_start):
                try:
                    self.page.wait_for_function(
                        _QUIET, polling="raf", timeout=max(1.0, deadline - time.perf_counter()) * 1000
                    )
                except Exception as err:  # noqa: BLE001
                    raise TimeoutError(f"the page did not settle: {err}") from err
                self.page.evaluate(_PAINTED)
                # a run may have started while the page was drawing (st.rerun, a widget's default)
                if max((at for at in self._started if at >= since), default=0.0) <= max(finished):
                    return len(done)
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no script run finished within {timeout:.0f} s")
            self.page.wait_for_timeout(10)

    def timed(self, kind: str, where: str, action, *, timeout: float = STEP_TIMEOUT) -> Step:
        """Do `action()` and wait until the page has settled; the step's time is recorded."""
        since = time.perf_counter()
        action()
        runs = self.settle(since, timeout)
        step = Step(kind, where, round(time.perf_counter() - since, 3), runs)
        self.steps.append(step)
        return step

    def shot(self, path: Path) -> None:
        """A screenshot of the whole page. Streamlit scrolls inside its main block, so for the picture
        the app is let grow to its full height (a style added, then removed: the window is not
        resized, which would make every chart draw again)."""
        handle = self.page.add_style_tag(content=_FULL_HEIGHT)
        try:
            self.page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        finally:
            handle.evaluate("(e) => e.remove()")

    def read(self) -> Screen:
        return Screen(**self.page.evaluate(_READ))

    # ---- actions -------------------------------------------------------------------------------

    def open(self, path: str = "/", *, kind: str = "open", timeout: float = STEP_TIMEOUT) -> Step:
        return self.timed(kind, path, lambda: self.page.goto(self.url + path), timeout=timeout)

    def sign_in(self, username: str, password: str) -> Step:
        """Fill the sign-in form (it must be on screen) and wait for the signed-in page."""
        self.page.wait_for_selector('input[type="password"]', timeout=STEP_TIMEOUT * 1000)

        def submit() -> None:
            self.page.locator('input[type="text"]').first.fill(username)
            self.page.locator('input[type="password"]').fill(password)
            self.page.locator('[data-testid="stMain"] button').filter(has_text=re.compile("登录|Sign in")).first.click()

        step = self.timed("sign_in", username, submit)
        if self.page.locator('input[type="password"]').count():
            raise AssertionError(
                f"{username} could not sign in: {self.page.locator('[data-testid=stMain]').inner_text()}"
            )
        return step

    def language(self, name: str) -> Step:
        """Switch the sidebar's language radio to `name` ("English" or "中文")."""
        radio = self.page.get_by_role("radio", name=name, exact=True)
        return self.timed("language", name, lambda: radio.click())

    def sign_out(self) -> None:
        button = self.page.locator('[data-testid="stSidebar"] button').filter(has_text=re.compile("退出登录|Sign out"))
        self.timed("sign_out", "", lambda: button.first.click())
        self.page.wait_for_selector('input[type="password"]', timeout=STEP_TIMEOUT * 1000)

    def nav(self, title: str, where: str) -> Step:
        """Click the navigation link titled `title`."""
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(
            has_text=re.compile(rf"{re.escape(title)}\s*$")
        )
        return self.timed("page", where, lambda: link.first.click())

    def tab(self, index: int, where: str) -> Step:
        """Open the `index`-th tab of the first tab bar in view."""
        tab = self.page.locator('[data-testid="stTabs"]').first.locator('[role="tab"]').nth(index)
        since = time.perf_counter()
        tab.click()
        # A tab switch is drawn by the browser alone unless the tabs rerun the script: settle on the
        # DOM then (no run expected), or on the run if one started.
        self.page.wait_for_timeout(50)
        if any(at >= since for at in self._started):
            runs = self.settle(since)
        else:
            self.page.wait_for_function(_QUIET, polling="raf", timeout=STEP_TIMEOUT * 1000)
            self.page.evaluate(_PAINTED)
            runs = 0
        step = Step("tab", where, round(time.perf_counter() - since, 3), runs)
        self.steps.append(step)
        return step

    def choose(
        self, kind: str, where: str, widget_label: str, option: str | int | None = None, *, sidebar: bool
    ) -> Step:
        """Pick `option` (its text; its position in the list when a number; the first other one when
        None) in the select box or multiselect labelled `widget_label`."""
        root = self.page.locator('[data-testid="stSidebar"]' if sidebar else '[data-testid="stMain"]')
        # Streamlit 1.67 draws select boxes as react-aria comboboxes labelled by the widget's label.
        box = root.get_by_role("combobox", name=widget_label, exact=True).first
        options = self.page.locator('[role="listbox"] [role="option"]')
        # A box near the bottom of the window may not open its list below it: brought to the
        # middle of the window and opened again (by the keyboard last) until the list shows.
        box.evaluate("(e) => e.scrollIntoView({block: 'center'})")  # (a long sidebar: admin's)
        for attempt in range(3):
            if attempt:
                self.page.keyboard.press("Escape")
                box.evaluate("(e) => e.scrollIntoView({block: 'center'})")
            box.click()
            if attempt == 2:
                box.press("ArrowDown")
            try:
                options.first.wait_for(timeout=10_000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again, then fail below
                if attempt == 2:
                    raise
        if option is None:
            count = options.count()
            pick = options.nth(1 if count > 1 else 0)
        elif isinstance(option, int):
            pick = options.nth(option % max(options.count(), 1))
        else:
            pick = options.filter(has_text=option).first
        step = self.timed(kind, where, lambda: pick.click())
        if self.page.locator('[role="listbox"]').count():
            self.page.keyboard.press("Escape")
        return step

    def rerun(self, where: str) -> Step:
        """Run the page again with nothing changed (Streamlit's "r" shortcut): the baseline of a
        step, what every response costs at least."""
        self.page.locator('[data-testid="stMain"] h1').first.click()
        return self.timed("rerun", where, lambda: self.page.keyboard.press("r"))

    def search_account(self, box_label: str, text: str) -> Step:
        box = self.page.locator('[data-testid="stTextInput"]').filter(
            has=self.page.locator("label", has_text=box_label)
        )
        field_ = box.first.locator("input")
        field_.fill(text)
        return self.timed("account", f"search {text}", lambda: field_.press("Enter"))


@contextlib.contextmanager
def browser(executable: str, url: str, *, lang: str = "zh-CN") -> Iterator[Driver]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = chrome.new_context(
                viewport=VIEWPORT, accept_downloads=True, locale=lang, timezone_id="Asia/Shanghai"
            )
            driver = Driver(context.new_page(), url)
            driver.watch()
            yield driver
        finally:
            chrome.close()


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
