"""Facts about a warehouse file, and making sure one exists (the demo on a fresh clone)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analytics import db, demo

DEMO_ACCOUNTS = 5000


def has_data(path: Path) -> bool:
    """True when the file holds the contract's tables with at least one account."""
    if not path.exists():
        return False
    with db.connect(path) as con:  # read-write, like the app's own connection (one config per file)
        if "accounts" not in db.existing_tables(con):
            return False
        return con.execute("select count(*) from accounts").fetchone()[0] > 0


def ensure_demo(
    path: Path, progress: Callable[[str, float], None] | None = None, *, accounts: int | None = None
) -> bool:
    """Generate the demo into `path` unless it already holds data; True when it generated."""
    if has_data(path):
        return False
    demo.build_file(path, accounts=accounts or DEMO_ACCOUNTS, seed=0, progress=progress)
    return True
