"""Shared fixtures: a small demo warehouse built once per test session (fixed seed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics import db, demo

DEMO_ACCOUNTS = 1200  # enough for all 16 districts to have managers
DEMO_MONTHS = 36
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with db.connect(path) as con:
        demo.generate(con, accounts=DEMO_ACCOUNTS, months=DEMO_MONTHS, seed=DEMO_SEED)
    return path


@pytest.fixture()
def demo_con(demo_path: Path) -> duckdb.DuckDBPyConnection:
    con = db.connect(demo_path, read_only=True)
    yield con
    con.close()


@pytest.fixture()
def empty_con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = db.connect(tmp_path / "empty.duckdb")
    db.create_schema(con)
    yield con
    con.close()
