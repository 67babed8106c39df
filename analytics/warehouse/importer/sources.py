"""Opening each file format far enough to read its header, then loading it as VARCHAR.

CSV: UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 with BOM, delimiter `,` tab `;` or `|`
(whichever the header line has most of). XLSX: the sheet named like the table (or, when the
file name did not say, like any table), else the first. Parquet: scalar column types, lists
(into list columns only) joined with `;`; nested types (structs, maps, lists of them) are
refused by `read`.

Operator exports as they really look: title rows above the header are skipped — the header is
the first row (of the first `HEADER_SEARCH_ROWS`) whose cells are mostly known headers (`is_header`;
the first row when none is) — and in XLSX a merged header cell's value is carried over to every
cell it spans (read from the sheet's `mergeCell` ranges: openpyxl's read-only mode has none).

Each source also says which file line a data row starts on (`Source.lines`): the CSV line of
its record (`lines`), the Excel row, nothing for Parquet; and `header_line`, the line (Excel row)
of the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException

from analytics.warehouse.contract import CONTRACTS, MAX_LINE_BYTES
from analytics.warehouse.importer.columns import file_table, normalise_header, quote_ident
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


# Rows searched for the header below title rows.
HEADER_SEARCH_ROWS = 30


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
    header_line: int = 1  # the file line (Excel row) of the header; > 1 when title rows are above it


def is_header(cells: Sequence[object], known: frozenset[str]) -> bool:
    """Whether a row reads as a header: at least two cells (one, for a one-cell row) are known
    headers, and they are at least half of its non-blank cells. A title row ("2026年10月集团客户出账
    明细") or a data row is not; a header with a few unknown columns still is."""
    keys = [normalise_header("" if c is None else c) for c in cells]
    keys = [k for k in keys if k]
    hits = sum(1 for k in keys if k in known)
    return hits >= min(2, len(keys)) and hits > 0 and 2 * hits >= len(keys)


def header_index(rows: Sequence[Sequence[object]], known: frozenset[str] | None) -> int | None:
    """The index of the first row that reads as a header (`is_header`), None when none does."""
    if not known:
        return None
    return next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if is_header(row, known)), None)


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    table: str | None,
    cleanup: list[Path],
    known: frozenset[str] | None = None,
) -> Source | None:
    """The file's header and a loader; None for a file without a header row. `known`: the
    normalised headers of every table (to find the header below title rows). Temporary files
    to delete afterwards are appended to `cleanup`."""
    if kind == "csv":
        return _open_csv(con, path, cleanup, known)
    if kind == "xlsx":
        return _open_xlsx(con, path, table, known)
    return _open_parquet(con, path)


def _csv_header(head: str, known: frozenset[str] | None) -> tuple[str, int, list[str], int]:
    """(delimiter, records above the header, header, lines above the header) of a CSV's start:
    the delimiter with which a row reads as a header soonest, else the one the first line has
    most of, with the header on the first line."""
    complete = head if len(head) < (1 << 20) else head[: head.rfind("\n") + 1] or head
    best: tuple[int, str, int, list[str], int] | None = None
    for delimiter in DELIMITERS:
        if delimiter not in complete:
            continue
        reader = csv.reader(io.StringIO(complete), delimiter=delimiter)
        records, above, previous_end = 0, 0, 0
        try:
            for fields in reader:
                if not fields:
                    previous_end = reader.line_num
                    continue
                if is_header(fields, known or frozenset()):
                    if best is None or records < best[0]:
                        best = (records, delimiter, records, fields, previous_end)
                    break
                records += 1
                previous_end = reader.line_num
                if records >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
    if best is not None:
        _, delimiter, records, header, above = best
        return delimiter, records, header, above
    first_line = head.splitlines()[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    return delimiter, 0, next(csv.reader(io.StringIO(head), delimiter=delimiter)), 0


def _open_csv(
    con: duckdb.DuckDBPyConnection, path: Path, cleanup: list[Path], known: frozenset[str] | None
) -> Source | None:
    utf8, is_copy, encoding = utf8_source(path)
    if is_copy:
        cleanup.append(utf8)
    with utf8.open(encoding="utf-8-sig", newline="") as f:
        head = f.read(1 << 20)
    if not head.strip():
        return None
    delimiter, titles, header, above = _csv_header(head, known)

    def stage(staging: str) -> str:
        names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
        con.execute(
            f"create temp table {quote_ident(staging)} as select * from read_csv($path, "
            f"auto_detect = false, header = true, skip = {above:d}, delim = $delim, quote = '\"', "
            f"escape = '\"', allow_quoted_nulls = false, max_line_size = {MAX_LINE_BYTES:d}, "
            f"columns = {{{names}}})",
            {"path": str(utf8), "delim": delimiter},
        )
        return "rowid + 1"

    # The original file rather than the UTF-8 copy, which is gone by the time lines are asked for.
    return Source(
        header,
        stage,
        lines=lambda rows: record_lines(path, encoding, delimiter, rows, titles),
        explain=lambda: first_malformed(path, encoding, delimiter, len(header), titles),
        header_line=above + 1,
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


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(path: Path, sheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first row, first column, last row, last column), 1-based,
    found in its XML part (openpyxl's read-only sheets do not read them): a byte search in
    chunks, much cheaper than parsing the sheet's cells a second time."""
    part = getattr(sheet, "_worksheet_path", None)
    if not part:
        return []
    ranges, tail = [], b""
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as xml:
        while chunk := xml.read(1 << 20):
            text = tail + chunk
            last = 0
            for match in _MERGE_CELL.finditer(text):
                c1, r1, c2, r2 = (g.decode() for g in match.groups())
                ranges.append((int(r1), _column_number(c1), int(r2), _column_number(c2)))
                last = match.end()
            tail = text[max(last, len(text) - 200) :]  # a tag cut by the chunk's end is read with the next
    return ranges


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _carry_merged(head: list[list[object]], merged: list[tuple[int, int, int, int]]) -> None:
    """In the first rows (`head`, row 1 first), every cell of a merged range takes the value of
    its top-left cell, as Excel shows it."""
    for r1, c1, r2, c2 in merged:
        if r1 > len(head):
            continue
        value = head[r1 - 1][c1 - 1] if c1 - 1 < len(head[r1 - 1]) else None
        for r in range(r1, min(r2, len(head)) + 1):
            row = head[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value


def _open_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, table: str | None, known: frozenset[str] | None
) -> Source | None:
    # openpyxl directly rather than through pandas: cells keep their Excel types (so dates and
    # integral numbers are written back as text exactly) and blank rows keep their row numbers.

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = _pick_sheet(book, table)
        rows = sheet.iter_rows(values_only=True)  # from the sheet's row 1, blank rows included
        head: list[list[object]] = []
        for row in rows:
            head.append(list(row))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        _carry_merged(head, _merged_ranges(path, sheet))
        if not head:
            return None
        found = header_index(head, known)
        at = found if found is not None else 0  # no row reads as a header: row 1, as it always was
        # A header of two rows (a group cell merged across the columns under it, the others merged
        # down): with merged values carried, the lower row names every column.
        while found is not None and at + 1 < len(head) and is_header(head[at + 1], known or frozenset()):
            at += 1
        if all(v is None for v in head[at]):
            return None
        header = ["" if v is None else _cell_text(v) for v in head[at]]
        while header and not header[-1]:
            header.pop()  # cells a merged title carried beyond the header's last column
        width = len(header)
        cells: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        below = iter(head[at + 1 :])

        def data_rows():
            yield from below
            yield from rows

        for number, row in enumerate(data_rows(), start=1):
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

    # The header is Excel row at + 1 and blank rows keep their numbers: data row n is row n + at + 1.
    return Source(header, stage, lines=lambda rows: {row: row + at + 1 for row in rows}, header_line=at + 1)


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
