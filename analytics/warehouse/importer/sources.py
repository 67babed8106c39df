"""Opening each file format far enough to read its header, then loading it as VARCHAR.

CSV: UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 with BOM, delimiter `,` tab `;` or `|`
(whichever the header line has most of). XLSX: the sheet named like the table (or, when the
file name did not say, like any table), else the first. Parquet: scalar column types, lists
(into list columns only) joined with `;`; nested types (structs, maps, lists of them) are
refused by `read`.

Each source also says which file line a data row starts on (`Source.lines`): the CSV line of
its record (`lines`), the Excel row, nothing for Parquet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException

from analytics.warehouse.contract import CONTRACTS, MAX_LINE_BYTES
from analytics.warehouse.importer.columns import file_table, quote_ident
from analytics.warehouse.importer.encoding import utf8_source
from analytics.warehouse.importer.lines import Malformed, first_malformed, record_lines
from analytics.warehouse.importer.problems import reason

FORMATS = {
    **dict.fromkeys((".csv", ".txt", ".tsv"), "csv"),
    **dict.fromkeys((".xlsx", ".xlsm"), "xlsx"),
    **dict.fromkeys((".parquet", ".pq"), "parquet"),
}
DELIMITERS = (",", "\t", ";", "|")
# What a malformed file raises while being opened or loaded (not programming errors).
UNREADABLE = (
    duckdb.InvalidInputException,
    duckdb.IOException,
    duckdb.ConversionException,
    OSError,
    UnicodeError,
    zipfile.BadZipFile,
    InvalidFileException,
    csv.Error,
)


@dataclass
class Source:
    """A file opened far enough to know its header."""

    header: list[str]
    stage: Callable[[str], str]  # staging table name -> SQL expression of the row number
    # Data rows -> the file lines they start on (None: the format has no lines).
    lines: Callable[[Iterable[int]], dict[int, int]] | None = None
    # Why `stage` failed, found in the file itself (None: the loader's own message must do).
    explain: Callable[[], Malformed | None] | None = None
    types: list[str] | None = None  # column types, for formats that have them (Parquet)


def open_source(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, table: str | None, cleanup: list[Path]
) -> Source | None:
    """The file's header and a loader; None for a file without a header row. Temporary files
    to delete afterwards are appended to `cleanup`."""
    if kind == "csv":
        return _open_csv(con, path, cleanup)
    if kind == "xlsx":
        return _open_xlsx(con, path, table)
    return _open_parquet(con, path)


def _open_csv(con: duckdb.DuckDBPyConnection, path: Path, cleanup: list[Path]) -> Source | None:
    utf8, is_copy, encoding = utf8_source(path)
    if is_copy:
        cleanup.append(utf8)
    with utf8.open(encoding="utf-8-sig", newline="") as f:
        head = f.read(1 << 20)
    if not head.strip():
        return None
    first_line = head.splitlines()[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    header = next(csv.reader(io.StringIO(head), delimiter=delimiter))

    def stage(staging: str) -> str:
        names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
        con.execute(
            f"create temp table {quote_ident(staging)} as select * from read_csv($path, "
            f"auto_detect = false, header = true, delim = $delim, quote = '\"', escape = '\"', "
            f"allow_quoted_nulls = false, max_line_size = {MAX_LINE_BYTES:d}, columns = {{{names}}})",
            {"path": str(utf8), "delim": delimiter},
        )
        return "rowid + 1"

    # The original file rather than the UTF-8 copy, which is gone by the time lines are asked for.
    return Source(
        header,
        stage,
        lines=lambda rows: record_lines(path, encoding, delimiter, rows),
        explain=lambda: first_malformed(path, encoding, delimiter, len(header)),
    )


def _open_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> Source:
    described = con.execute("describe select * from read_parquet($path)", {"path": str(path)})
    fields = [(name, dtype) for name, dtype, *_ in described.fetchall()]

    def stage(staging: str) -> str:
        cells = []
        for i, (_name, dtype) in enumerate(fields):
            # Columns by position (`#1`), so that no name from the file enters the SQL.
            ref = f"#{i + 1}"
            if dtype.endswith("[]"):
                text = f"array_to_string({ref}, ';')"
            elif dtype == "BLOB":  # strings written without their UTF-8 annotation
                text = f"decode({ref})"
            elif dtype in ("DOUBLE", "FLOAT"):
                # As Excel shows a float (15 significant digits; 7 for single precision), so that
                # 0.1 + 0.2 reads 0.3 while 12.345 still reads 12.345.
                text = f"printf('{'%.15g' if dtype == 'DOUBLE' else '%.7g'}', {ref})"
            else:
                text = f"{ref}::varchar"
            cells.append(f"{text} as c{i}")
        con.execute(
            f"create temp table {quote_ident(staging)} as select {', '.join(cells)} from read_parquet($path)",
            {"path": str(path)},
        )
        return "rowid + 1"

    def explain() -> Malformed | None:
        """The first cell of a BLOB column that is not UTF-8 text (what makes `decode` fail)."""
        for i, (name, dtype) in enumerate(fields):
            if dtype != "BLOB":
                continue
            ref = f"#{i + 1}"
            row = con.execute(
                f"select min(file_row_number) + 1 from read_parquet($path, file_row_number = true) "
                f"where {ref} is not null and try(decode({ref})) is null",
                {"path": str(path)},
            ).fetchone()[0]
            if row is not None:
                return Malformed(row, None, reason("blob_not_text"), name)
        return None

    return Source([name for name, _ in fields], stage, explain=explain, types=[dtype for _, dtype in fields])


def _open_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str | None) -> Source | None:
    # openpyxl directly rather than through pandas: cells keep their Excel types (so dates and
    # integral numbers are written back as text exactly) and blank rows keep their row numbers.

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = _pick_sheet(book, table)
        rows = sheet.iter_rows(values_only=True)  # from the sheet's row 1, blank rows included
        header_row = next(rows, None)
        if header_row is None or all(v is None for v in header_row):
            return None
        header = ["" if v is None else _cell_text(v) for v in header_row]
        width = len(header)
        cells: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, row in enumerate(rows, start=1):
            values = list(row[:width]) + [None] * (width - len(row))
            if all(v is None for v in values):
                continue
            numbers.append(number)
            for i, value in enumerate(values):
                cells[i].append(None if value is None else _cell_text(value))
    finally:
        book.close()
    data = pa.table(
        {
            "_row": pa.array(numbers, pa.int64()),
            **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(cells)},
        }
    )

    def stage(staging: str) -> str:
        view = f"{staging}_arrow"
        con.register(view, data)
        try:
            con.execute(f"create temp table {quote_ident(staging)} as select * from {quote_ident(view)}")
        finally:
            con.unregister(view)
        return "_row"

    # The header is the sheet's row 1 and blank rows keep their numbers: data row n is Excel row n + 1.
    return Source(header, stage, lines=lambda rows: {row: row + 1 for row in rows})


def _pick_sheet(book, table: str | None):
    """The sheet named like the table (or like any table when the file name did not say)."""
    tables = (table,) if table else tuple(CONTRACTS)
    for sheet in book.worksheets:
        if file_table(sheet.title, tables):
            return sheet
    return book.worksheets[0]


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # Excel keeps 15 significant digits: 0.1 + 0.2 is 0.3 there, not 0.30000000000000004.
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
