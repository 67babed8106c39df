"""Shared fixtures: a small demo warehouse built once per test session (fixed seed)."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit import config as streamlit_config

from analytics.common import rules
from analytics.models import preparation as pipeline
from analytics.warehouse import db, demo

# Development mode for errors: the app logs a failure and raises it on (analytics/ui/errors.py), so
# that AppTest sees the exception whole (users see a plain message with a reference number instead);
# the environment variable reaches the dashboards that browser tests start, the option AppTest.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
streamlit_config.set_option("client.showErrorDetails", "full", where_defined="tests/conftest.py")

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


def _make_scored(folder: Path) -> Path:
    """The small demo, built, trained and scored (the state the dashboard reads)."""
    path = folder / "scored.duckdb"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        with db.connect(folder / "generating.duckdb") as con:
            demo.generate(con, accounts=DEMO_ACCOUNTS, months=DEMO_MONTHS, seed=DEMO_SEED)
        shutil.move(folder / "generating.duckdb", path)
        pipeline.prepare(path)
        with db.connect(path) as con:
            # The pages' tests record their own retention actions and count from none: the demo's
            # (which training has read, for uplift_scores) are cleared.
            con.execute("delete from retention_actions")
        (folder / "done").touch()
    return path


@pytest.fixture(scope="session")
def scored_path(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A prepared warehouse, made once per session under a lock and copied for each xdist worker.

    Tests must not change it; a test that writes copies it first (see `scored_copy`).
    """
    if worker_id == "master":
        return _make_scored(tmp_path_factory.getbasetemp() / "scored")
    root = tmp_path_factory.getbasetemp().parent
    with (root / "scored.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shared = _make_scored(root / "scored")
    # Each worker process gets its own copy: DuckDB lets one process at a time open a file for
    # writing, and the app's connection is read-write.
    from analytics import config

    own = tmp_path_factory.getbasetemp() / "scored" / shared.name
    own.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared, own)
    shutil.copytree(config.models_dir(shared), config.models_dir(own))
    return own


@pytest.fixture()
def scored_copy(scored_path: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared warehouse (with its models) for a test that writes."""
    from analytics import config

    target = tmp_path / "scored.duckdb"
    shutil.copy(scored_path, target)
    shutil.copytree(config.models_dir(scored_path), config.models_dir(target))
    return target


@pytest.fixture()
def the_rules():
    """The packaged rules file (analytics/common/rules.toml), read."""
    return rules.load(rules.DEFAULT_RULES)
