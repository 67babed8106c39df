"""The console script as a user runs it: real subprocesses, exit statuses, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analytics.warehouse import db


def needsmine(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("command", ["demo", "import"])
def test_every_subcommand_has_help(command):
    out = needsmine(command, "--help")
    assert out.returncode == 0 and "--db" in out.stdout


def test_demo_builds_every_table_at_the_path_given(tmp_path):
    path = tmp_path / "x.duckdb"
    out = needsmine("demo", "--accounts", "120", "--months", "12", "--seed", "7", "--db", str(path), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert rows["accounts"] == 120 and rows["billing_monthly"] > 0 and rows["truth_churn"] > 0
    assert "100.0%" in out.stderr  # progress on stderr
    with db.connect(path, read_only=True) as con:
        assert db.existing_tables(con) == set(db.ALL_TABLES)


def test_db_comes_from_the_environment_when_not_given(tmp_path):
    path = tmp_path / "env.duckdb"
    out = needsmine("demo", "--accounts", "60", "--months", "8", "--quiet", env={"NEEDSMINE_DB": str(path)})
    assert out.returncode == 0, out.stderr
    assert path.exists()


def test_bad_arguments_exit_2(tmp_path):
    assert needsmine("demo", "--accounts", "0", "--db", str(tmp_path / "x.duckdb")).returncode == 2
    missing = needsmine("import", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "x.duckdb"))
    assert missing.returncode == 2 and "nope.csv" in missing.stderr


def test_import_refuses_a_bad_file_and_leaves_the_warehouse_alone(tmp_path, demo_path):
    work = tmp_path / "w.duckdb"
    work.write_bytes(demo_path.read_bytes())
    with db.connect(work, read_only=True) as con:
        before = con.execute("select count(*), sum(revenue_yuan) from billing_monthly").fetchone()
        account = con.execute("select min(account_id) from accounts").fetchone()[0]
    bad = tmp_path / "账单.csv"
    bad.write_text(
        "集团编号,账期,产品编码,收入,数量,统付\n"
        f"{account},2026-10,BC01,120.50,12,是\n"
        f"{account},2026-10,MO01,-5,1,是\n",
        encoding="gbk",
    )
    out = needsmine("import", str(bad), "--db", str(work))
    assert out.returncode == 2
    assert "账单.csv" in out.stderr and "row 2" in out.stderr and "revenue_yuan" in out.stderr
    with db.connect(work, read_only=True) as con:
        assert con.execute("select count(*), sum(revenue_yuan) from billing_monthly").fetchone() == before
