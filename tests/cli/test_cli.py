"""The console script as a user runs it: real subprocesses, exit statuses, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analytics import cli
from analytics.warehouse import db


def needsmine(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


# The smallest valid arguments of each subcommand, in the order of `needsmine --help`.
MINIMAL_ARGUMENTS = {
    "dashboard": [],
    "demo": [],
    "import": ["x.csv"],
    "build": [],
    "train": [],
    "score": [],
    "train-table": ["t.csv", "--target", "y"],
    "proposal": ["--account", "1", "--out", "p.docx"],
    "compliance": [],
    "notes": ["notes.csv"],
    "users": ["list"],
}


def test_each_subcommand_runs_its_own_module():
    parser = cli.build_parser()
    for (command, argv), module in zip(MINIMAL_ARGUMENTS.items(), cli.SUBCOMMANDS, strict=True):
        args = parser.parse_args([command, *argv])
        assert args.command == command and args.run is module.run


def test_the_parser_is_built_without_the_warehouse_or_streamlit():
    # `needsmine --help` must start fast: DuckDB and Streamlit are imported inside `run` only.
    code = (
        "import sys; from analytics import cli; cli.build_parser(); "
        "print(sorted({'duckdb', 'streamlit'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


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
        assert db.existing_tables(con) == set(db.ALL_TABLES) | set(db.PIPELINE_TABLES)


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
        f"集团编号,账期,产品编码,收入,数量,统付\n{account},2026-10,BC01,120.50,12,是\n{account},2026-10,MO01,-5,1,是\n",
        encoding="gbk",
    )
    out = needsmine("import", str(bad), "--db", str(work))
    assert out.returncode == 2
    assert "账单.csv" in out.stderr and "row 2" in out.stderr and "revenue_yuan" in out.stderr
    with db.connect(work, read_only=True) as con:
        assert con.execute("select count(*), sum(revenue_yuan) from billing_monthly").fetchone() == before


@pytest.mark.parametrize("command", ["train", "score"])
def test_a_bad_month_is_bad_input(command, tmp_path, capsys):
    """SPEC §5: bad input exits 2 with a message (not 1, as a bare SystemExit message would)."""
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--as-of", "2026-13", "--db", str(tmp_path / "w.duckdb")])
    assert stop.value.code == 2
    assert "2026-13" in capsys.readouterr().err
