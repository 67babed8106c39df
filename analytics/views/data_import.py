"""The import page's logic (数据导入): uploaded files checked by the importer, what they would
change, the validation report, applying them and the import history.

Nothing here reads or writes files in its own way: `analytics.warehouse.importer` reads, checks
and writes (the same code as `needsmine import`). This module saves the uploads, turns the
importer's plan into the page's tables, keeps headers mapped by hand for the next export of the
same shape, and writes every applied import to the audit trail (who, when, which files, rows).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analytics.access import audit
from analytics.common import logs
from analytics.warehouse import queries
from analytics.warehouse.contract import CONTRACTS
from analytics.warehouse.importer import (
    BadInputError,
    Change,
    FileReport,
    ImportPlan,
    check_files,
    import_files,
    mappings,
)
from analytics.warehouse.importer.columns import table_spec

AUDIT_OBJECT = "import"
HISTORY_ROWS = 50
PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]


@dataclass(frozen=True)
class Upload:
    """One uploaded file saved on the server: `name` as the user's file is named (what the
    report calls it), `path` where it lies (under its own name, which may tell the table)."""

    name: str
    path: Path


def safe_name(name: str) -> str:
    """A file name without folders or characters a file system refuses (the name the user's
    file had, as far as it can stay that)."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base).strip(" .")
    return base or "upload"


def save_uploads(folder: Path, files: Iterable[tuple[str, bytes]]) -> list[Upload]:
    """Write the uploaded files under `folder`, each in its own subfolder (two files may share a
    name), keeping their names; the uploads in the order given."""
    saved = []
    for n, (name, data) in enumerate(files):
        target = folder / str(n) / safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        saved.append(Upload(name, target))
    return saved


def check(
    con: duckdb.DuckDBPyConnection,
    uploads: Sequence[Upload],
    *,
    tables: dict[str, str] | None = None,
    hand: dict[str, dict[str, str]] | None = None,
    today: dt.date | None = None,
) -> ImportPlan:
    """What importing `uploads` would do, nothing written (`tables`, `hand`: by upload name, the
    table chosen and headers mapped by hand on the page). Months that shrink are not a problem
    here: the page asks for their confirmation (`shrinking`)."""
    return check_files(
        con.cursor(),
        [u.path for u in uploads],
        labels=[u.name for u in uploads],
        tables=tables,
        hand=hand,
        allow_shrink=True,
        today=today,
    )


def shrinking(plan: ImportPlan, share: float) -> list[Change]:
    """The months the import would shrink by more than `share` of their rows."""
    return [c for c in plan.changes if c.month is not None and c.before and c.after < c.before * (1 - share)]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns a header of a file for `table` can be mapped to."""
    return [c.name for c in table_spec(con.cursor(), table).columns]


def importable_tables() -> list[str]:
    return list(CONTRACTS)


def mapping_frame(plan: ImportPlan) -> pd.DataFrame:
    """Every file's headers: file, header row, source header, the column it goes to (blank when
    unknown) and how that was decided (contract | saved | hand | blank)."""
    rows = [
        {
            "file": report.label,
            "table": report.table or "",
            "header_line": report.header_line,
            "source_header": header,
            "target_column": column or "",
            "how": how,
        }
        for report in plan.files
        for header, (column, how) in report.mapping.items()
    ]
    columns = ["file", "table", "header_line", "source_header", "target_column", "how"]
    return pd.DataFrame(rows, columns=columns).astype({"header_line": "Int64"})


def problems_frame(error: BadInputError | None) -> pd.DataFrame:
    """The validation report: file, row (the file line as an editor or Excel numbers it; the data
    row where there are no lines, as in Parquet), column, value, reason — one row per problem."""
    if error is None:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    rows = [
        {
            "file": p.file,
            "row": p.line if p.line is not None else p.row,
            "column": p.column or "",
            "value": "" if p.value is None else str(p.value),
            "reason": p.reason,
        }
        for p in error.problems
    ]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS).astype({"row": "Int64"})


def problems_xlsx(frame: pd.DataFrame, headers: dict[str, str]) -> bytes:
    """The validation report as an Excel workbook (headers as the page shows them)."""
    from analytics.views import exports

    buffer = io.BytesIO()
    shown = exports.formula_safe(frame.rename(columns=headers))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        shown.to_excel(writer, sheet_name="problems", index=False)
    return buffer.getvalue()


def changes_frame(plan: ImportPlan) -> pd.DataFrame:
    """What applying changes: per table (and month, for monthly tables) the warehouse rows
    replaced, the rows added and the rows imported."""
    rows = [
        {
            "table": c.table,
            "month": c.month or "",
            "rows_replaced": c.before,
            "rows_added": c.added,
            "rows_imported": c.after,
        }
        for c in plan.changes
    ]
    return pd.DataFrame(rows, columns=["table", "month", "rows_replaced", "rows_added", "rows_imported"])


def dropped_rows(plan: ImportPlan) -> list[tuple[str, str]]:
    """(file, what was left out) for every row the importer dropped (totals rows)."""
    return [(report.label, note) for report in plan.files for note in report.dropped]


def apply(
    con: duckdb.DuckDBPyConnection,
    uploads: Sequence[Upload],
    *,
    username: str,
    role: str | None,
    tables: dict[str, str] | None = None,
    hand: dict[str, dict[str, str]] | None = None,
    reports: Sequence[FileReport] = (),
    allow_shrink: bool = False,
    max_shrink: float | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Import the uploads in one transaction (the importer's; everything checked again first) and
    keep the headers mapped by hand for their files' shapes (`reports`: the checked plan's files,
    which know them); then the audit event (who, which files, rows). Raises `BadInputError`
    (nothing written) when anything is wrong."""
    cur = con.cursor()
    log = logs.logger("import")
    names = ", ".join(u.name for u in uploads)
    try:
        written = import_files(
            cur,
            [u.path for u in uploads],
            labels=[u.name for u in uploads],
            tables=tables,
            hand=hand,
            allow_shrink=allow_shrink,
            max_shrink=max_shrink,
            today=today,
        )
    except BadInputError as err:
        log.warning("import refused on the import page (nothing changed): files %s; %s", names, err.format()[:2000])
        raise
    for report in reports:
        given = {h: c for h, c in ((hand or {}).get(report.label) or {}).items() if c}
        if given and report.shape and report.table:
            mappings.save(cur, report.shape, report.table, given, username)
    rows = ", ".join(f"{table} {n:,}" for table, n in written.items())
    audit.record(cur, username, role, "change", AUDIT_OBJECT, f"files: {names}; rows: {rows}")
    log.info("import applied on the import page by %s: files %s; rows %s", username, names, written)
    return written


def history(con: duckdb.DuckDBPyConnection, limit: int = HISTORY_ROWS) -> pd.DataFrame:
    """The imports applied, newest first: when, who (and their role), which files, rows."""
    audit.ensure_tables(con)
    events = queries.run(con.cursor(), "import_history", {"limit": limit})
    parts = events["detail"].fillna("").str.extract(r"^files: (?P<files>.*?); rows: (?P<rows>.*)$")
    return pd.DataFrame(
        {
            "occurred_at": events["occurred_at"],
            "username": events["username"],
            "role": events["role"],
            "files": parts["files"].fillna(events["detail"].fillna("")),
            "rows": parts["rows"].fillna(""),
        }
    )
