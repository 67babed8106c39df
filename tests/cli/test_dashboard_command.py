"""`needsmine dashboard`: the warehouse prepared in the terminal, then the Streamlit server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from analytics.cli import dashboard


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_prepared_warehouse_is_left_as_it_is_and_the_terminal_says_so(scored_copy):
    before = scored_copy.stat().st_mtime_ns
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "dashboard", "--db", str(scored_copy), "--prepare-only"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert f"仓库 / warehouse {scored_copy}" in out.stderr
    assert "准备完成" not in out.stderr  # nothing to prepare
    assert scored_copy.stat().st_mtime_ns == before or "prepared" not in out.stderr


def test_it_becomes_the_streamlit_server_of_that_warehouse(scored_copy, tmp_path):
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "analytics", "dashboard", "--db", str(scored_copy), "--port", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        said = log.read_text()
        assert f"http://localhost:{port}" in said
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_server_it_hands_over_to_runs_the_projects_app():
    argv = dashboard.command("x.duckdb", 8600)
    assert argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert argv[4] == str(dashboard.APP) and dashboard.APP.name == "app.py" and dashboard.APP.exists()
    assert argv[argv.index("--server.port") + 1] == "8600"
