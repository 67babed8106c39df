"""The operations log: one rotated file per warehouse (`<db>.log`), fed by the command line,
the build, the importer's command, model loads and slow named queries."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from analytics import cli
from analytics.common import logs
from analytics.warehouse import queries


def _file_handlers() -> list[RotatingFileHandler]:
    return [h for h in logs.logger().handlers if getattr(h, "needsmine_file", None) is not None]


@pytest.fixture(autouse=True)
def _own_handlers(monkeypatch):
    monkeypatch.delenv(logs.LOG_ENV, raising=False)
    yield
    for handler in _file_handlers():
        logs.logger().removeHandler(handler)
        handler.close()


def _read(path: Path) -> str:
    for handler in _file_handlers():
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_one_rotated_file_per_warehouse_beside_it(tmp_path):
    first = logs.configure(tmp_path / "a.duckdb")
    assert first == (tmp_path / "a.duckdb.log").resolve()
    assert logs.configure(tmp_path / "a.duckdb") == first and len(_file_handlers()) == 1  # idempotent
    (handler,) = _file_handlers()
    assert isinstance(handler, RotatingFileHandler) and handler.maxBytes > 0 and handler.backupCount > 0
    logs.logger("test").info("into a")
    second = logs.configure(tmp_path / "b.duckdb")
    logs.logger("test").info("into b")
    assert len(_file_handlers()) == 1
    assert "into a" in _read(first) and "into b" not in _read(first)
    assert "into b" in _read(second) and "needsmine.test" in _read(second)


def test_the_command_line_logs_its_commands_the_build_and_a_refused_import(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert cli.main(["demo", "--accounts", "60", "--months", "14", "--seed", "3", "--db", str(db), "--quiet"]) == 0
    assert cli.main(["build", "--db", str(db), "--quiet"]) in (0, 1)
    bad = tmp_path / "accounts.csv"
    bad.write_text("account_id,account_name\nX1,\n", encoding="utf-8")
    assert cli.main(["import", str(bad), "--db", str(db), "--quiet"]) == 2
    capsys.readouterr()
    text = _read(Path(f"{db}.log"))
    assert "needsmine demo --accounts 60" in text and ": exit 0 in" in text
    assert "build:" in text and "steps in" in text and "slowest:" in text
    assert "import refused (nothing changed)" in text and "accounts.csv" in text


def test_a_named_query_slower_than_the_threshold_is_logged_with_its_parameters(demo_con, tmp_path, monkeypatch):
    path = logs.configure(tmp_path / "q.duckdb")
    # two named queries over the demo's raw accounts (the session's demo warehouse is not built)
    texts = {
        "test_log_district": "select account_id from accounts where district = $district",
        "test_log_count": "select count(*) as n from accounts",
    }
    monkeypatch.setattr(queries, "sql", texts.__getitem__)
    monkeypatch.setattr(logs, "SLOW_QUERY_SECONDS", -1.0)  # every query counts as slow
    rows = len(queries.run(demo_con, "test_log_district", {"district": "鼓楼区", "unused": 1}))
    monkeypatch.setattr(logs, "SLOW_QUERY_SECONDS", 3600.0)  # none does
    queries.run(demo_con, "test_log_count", {})
    text = _read(path)
    assert "slow query test_log_district: " in text and f"{rows} rows" in text and "'district': '鼓楼区'" in text
    assert "unused" not in text and "test_log_count" not in text


def test_an_error_of_a_command_is_logged_with_its_command_line(tmp_path, monkeypatch):
    db = tmp_path / "e.duckdb"
    argv = ["users", "list", "--db", str(db)]
    args = cli.build_parser().parse_args(argv)

    def broken(_args):
        raise RuntimeError("boom")

    args.run = broken
    with pytest.raises(RuntimeError):
        cli.common.run_logged(args, argv)
    text = _read(Path(f"{db}.log"))
    assert f"needsmine users list --db {db} failed" in text and "RuntimeError: boom" in text
    assert logging.getLevelName(logs.logger().level) == "INFO"
