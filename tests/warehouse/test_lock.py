"""A warehouse held by another process (a running dashboard holds its file read-write): the opener
names the holder, the command line exits 2 with a plain message, the dashboard shows one plain
message and nothing else. The holder is a real second process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.common import i18n
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
MARKER = "needsmine-lock-holder-for-tests"
HOLD = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()  # until the test closes our stdin\n"
)


@pytest.fixture()
def held(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """A small warehouse file held read-write by a second Python process."""
    path = tmp_path / "held.duckdb"
    with db.connect(path) as con:
        db.create_schema(con)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), MARKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    yield path, holder
    holder.stdin.close()
    holder.wait(timeout=60)
    holder.stdout.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_the_opener_raises_a_typed_error_naming_the_holder(held, read_only):
    path, holder = held
    with pytest.raises(db.WarehouseLockedError) as err:
        db.connect(path, read_only=read_only)
    assert err.value.pid == holder.pid
    assert MARKER in (err.value.command or "")
    assert f"PID {holder.pid}" in str(err.value) and str(path) in str(err.value)
    assert "Ctrl+C" in str(err.value)  # the way out


@pytest.mark.parametrize("command", [["compliance", "--json"], ["users", "list"], ["build"], ["score"]])
def test_cli_commands_beside_the_holder_exit_2_naming_it_without_a_traceback(held, command):
    path, holder = held
    env = {**os.environ, "NEEDSMINE_DB": str(path)}
    done = subprocess.run(
        [sys.executable, "-m", "analytics", *command], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"PID {holder.pid}" in done.stderr and MARKER in done.stderr
    assert done.stdout == ""
    log = Path(f"{path}.log").read_text(encoding="utf-8")
    assert f"locked by PID {holder.pid}" in log


def test_a_dashboard_that_cannot_open_its_warehouse_says_so_and_shows_nothing_else(held, monkeypatch):
    path, holder = held
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [i18n.text("operations.unavailable", "zh")]
    assert not at.text_input and not at.button and not at.sidebar.children  # no sign-in, no page list
    shown = " ".join(str(e.value) for e in at.main.children.values() if hasattr(e, "value"))
    assert str(path) not in shown and str(holder.pid) not in shown and "Traceback" not in shown
    assert f"PID {holder.pid}" in Path(f"{path}.log").read_text(encoding="utf-8")
