"""The one place that opens DuckDB and creates the warehouse's tables."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from analytics import config

SCHEMA_DIR = config.SQL_DIR / "schema"

# Input tables of SPEC §3 in load order (parents before children).
INPUT_TABLES: tuple[str, ...] = (
    "managers",
    "products",
    "accounts",
    "contacts",
    "billing_monthly",
    "members_monthly",
    "interactions",
    "competitor_reports",
    "profile_updates",
    "complaints",
    "retention_actions",
)
TRUTH_TABLES: tuple[str, ...] = (
    "truth_churn",
    "truth_adoption",
    "truth_needs",
    "truth_retention_effects",
    "truth_opportunities",
)
ALL_TABLES: tuple[str, ...] = INPUT_TABLES + TRUTH_TABLES
# The pipeline the app writes (商机, analytics/views/pipeline), parents first. Not input tables:
# the importer leaves them alone; a warehouse of an earlier version gains them (`ensure_pipeline_tables`).
PIPELINE_TABLES: tuple[str, ...] = (
    "opportunities",
    "opportunity_stage_changes",
    "opportunity_proposals",
    "pipeline_targets",
    "projects",
    "project_milestones",
    "project_collaborators",
)


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file (DuckDB allows one writing process per file, and
    no reader beside it). `pid` is the holder DuckDB names, `command` its command line when /proc
    tells."""

    def __init__(self, path: Path, pid: int | None, command: str | None) -> None:
        self.path, self.pid, self.command = path, pid, command
        holder = "另一进程 / another process"
        if pid is not None:
            holder = f"PID {pid}" + (f" ({command})" if command else "")
        super().__init__(
            f"{path}: 仓库正被 {holder} 占用。请等它结束或停止它（如仪表板：在其终端按 Ctrl+C）后重试；"
            f"仪表板运行时，请在仪表板中操作。 / the warehouse is in use by {holder}. Wait for it to finish "
            "or stop it (the dashboard: Ctrl+C in its terminal) and try again; while the dashboard runs, "
            "work in the dashboard."
        )

    @classmethod
    def from_error(cls, path: Path, err: Exception) -> WarehouseLockedError | None:
        """The lock conflict DuckDB reports in `err`, or None when `err` is something else."""
        text = str(err)
        if "lock" not in text.lower():
            return None
        match = re.search(r"\(PID (\d+)\)", text)
        pid = int(match.group(1)) if match else None
        return cls(path, pid, process_command(pid) if pid is not None else None)


def process_command(pid: int) -> str | None:
    """The command line of process `pid` from /proc (None where there is no /proc or no such process)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    if len(command) > 300:  # the program and its last arguments (a long `-c` script in between is cut)
        command = f"{command[:140]} … {command[-150:]}"
    return command or None


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating its folder) with the project's memory limit."""
    target = config.db_path(path)
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as err:
        locked = WarehouseLockedError.from_error(target, err)
        if locked is None:
            raise
        raise locked from None
    con.execute(f"set memory_limit = '{config.memory_limit()}'")
    return con


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
    return {name for (name,) in rows}


# Optional columns added to a table after its first version: (column, type), nullable.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "managers": (("phone", "varchar"), ("email", "varchar")),
    "accounts": (("business_scope", "varchar"),),
    "retention_actions": (("action_kind", "action_kind"),),
}


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the enum types and every table of SPEC §3 plus the truth tables, if absent."""
    have_types = {
        name for (name,) in con.execute("select type_name from duckdb_types() where schema_name = 'main'").fetchall()
    }
    if "value_class" not in have_types:
        con.execute((SCHEMA_DIR / "00_types.sql").read_text(encoding="utf-8"))
    have = existing_tables(con)
    for table in ALL_TABLES:
        if table not in have:
            con.execute((SCHEMA_DIR / f"{table}.sql").read_text(encoding="utf-8"))
    add_new_columns(con)
    ensure_pipeline_tables(con)


def ensure_pipeline_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the pipeline's tables (`PIPELINE_TABLES`) a warehouse lacks — one made by an earlier
    version gains them here, with nothing else changed. One catalogue query when they are all
    there (cheap enough for every write); two sessions creating them at once retry."""
    cur = con.cursor()
    for attempt in range(20):
        have = existing_tables(cur)
        missing = [table for table in PIPELINE_TABLES if table not in have]
        if not missing:
            return
        try:
            for table in missing:  # `create table if not exists`: a rival's table is kept
                cur.execute((SCHEMA_DIR / f"{table}.sql").read_text(encoding="utf-8"))
        except (duckdb.TransactionException, duckdb.CatalogException):
            if attempt == 19:
                raise


def _type_statements(types_sql: str) -> dict[str, str]:
    """Each `create type NAME ...;` statement of the types file, by NAME."""
    body = "\n".join(line for line in types_sql.splitlines() if not line.lstrip().startswith("--"))
    return {
        statement.split()[2]: statement.strip() + ";"
        for statement in body.split(";")
        if statement.strip().startswith("create type ")
    }


def add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Give the tables of a warehouse made by an earlier version the optional columns added since
    (`ADDED_COLUMNS`), and the enum types they need; nothing else changes."""
    have_types = {
        name for (name,) in con.execute("select type_name from duckdb_types() where schema_name = 'main'").fetchall()
    }
    if "value_class" in have_types:  # the types added since (one statement each)
        for name, statement in _type_statements((SCHEMA_DIR / "00_types.sql").read_text(encoding="utf-8")).items():
            if name not in have_types:
                con.execute(statement)
    have = existing_tables(con)
    for table, columns in ADDED_COLUMNS.items():
        if table in have:
            for column, sql_type in columns:
                con.execute(f"alter table {table} add column if not exists {column} {sql_type}")


def drop_all(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every contract table and type (used before regenerating the demo)."""
    for table in reversed(ALL_TABLES + PIPELINE_TABLES):
        con.execute(f"drop table if exists {table}")
    types_sql = (SCHEMA_DIR / "00_types.sql").read_text(encoding="utf-8")
    for line in types_sql.splitlines():
        if line.startswith("create type "):
            con.execute(f"drop type if exists {line.split()[2]}")


def enum_values(con: duckdb.DuckDBPyConnection, type_name: str) -> list[str]:
    """Allowed labels of one enum type of the schema."""
    return list(con.execute(f"select enum_range(null::{type_name})").fetchone()[0])


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    """(column, DuckDB type, is_nullable) in table order, read from the warehouse itself."""
    return [
        (name, dtype, nullable)
        for name, dtype, nullable in con.execute(
            "select column_name, data_type, is_nullable from duckdb_columns() "
            "where table_name = ? and schema_name = 'main' order by column_index",
            [table],
        ).fetchall()
    ]


def is_empty(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0
