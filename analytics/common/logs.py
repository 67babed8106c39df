"""The operations log: one rotated file per warehouse, `<db>.log` beside the DuckDB file, written
through the logger `needsmine` (children: `needsmine.import`, `needsmine.build`, `needsmine.models`,
`needsmine.queries`, `needsmine.cli`, `needsmine.ui`).

`configure(db_path)` is called by the command line's entry and by the dashboard's connection
setup; before it (library use, tests) records go nowhere but Python's last-resort handler for
warnings and errors. Imports (files, rows, outcome), builds and refreshes (steps and durations),
model loads, named queries slower than `SLOW_QUERY_SECONDS` and errors with their context land here.
"""

from __future__ import annotations

import logging
import os
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "needsmine"
LOG_ENV = "NEEDSMINE_LOG"  # another file than <db>.log
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
SLOW_QUERY_SECONDS = 1.0
FORMAT = "%(asctime)s %(levelname)s %(name)s pid=%(process)d %(message)s"

_lock = threading.Lock()


def logger(name: str | None = None) -> logging.Logger:
    """The project's logger, or its child `needsmine.<name>`."""
    return logging.getLogger(LOGGER_NAME if not name else f"{LOGGER_NAME}.{name}")


def log_path(db_path: str | os.PathLike[str]) -> Path:
    """The log file of the warehouse at `db_path` (`NEEDSMINE_LOG` overrides)."""
    override = os.environ.get(LOG_ENV, "").strip()
    return Path(override) if override else Path(f"{db_path}.log")


def configure(db_path: str | os.PathLike[str]) -> Path | None:
    """Send the `needsmine` logger's records (INFO and up) to the warehouse's rotated log file;
    idempotent, and a second warehouse replaces the first one's file. Returns the file, or None
    when its folder cannot be written (logging must never stop the program)."""
    target = log_path(db_path).resolve()
    root = logger()
    with _lock:
        for handler in list(root.handlers):
            if getattr(handler, "needsmine_file", None) == target:
                return target
            if getattr(handler, "needsmine_file", None) is not None:
                root.removeHandler(handler)
                handler.close()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
        except OSError:
            return None
        handler.needsmine_file = target  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return target
