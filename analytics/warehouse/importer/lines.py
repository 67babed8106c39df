"""File lines of CSV records, and the first record DuckDB's reader refused, in the product's words.

DuckDB reads CSV fast but numbers records, not file lines: it skips blank lines and a quoted
value may hold line breaks, so record n need not sit on line n + 1. Python's `csv` module,
reading the same dialect, knows the line each record starts on. It runs only when there is
something to report — to find the lines of the rows problems name, or why a file could not be
parsed — so a clean import never pays for it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analytics.warehouse.contract import MAX_LINE_BYTES
from analytics.warehouse.importer.problems import reason

# Fields as long as DuckDB accepts whole lines (the csv module's own default is 128 KiB).
FIELD_LIMIT = MAX_LINE_BYTES * 4


@dataclass(frozen=True)
class Record:
    row: int  # data row: 1 = the first record under the header (blank lines not counted)
    line: int  # file line it starts on, 1-based
    last_line: int  # file line it ends on
    fields: list[str]
    size: int  # bytes in UTF-8, line breaks inside it counted, the final one not


class _CountingLines:
    """The file's lines, counting the UTF-8 bytes handed out (DuckDB's measure of a line)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.bytes = 0
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.bytes += len(line.encode("utf-8", "surrogatepass"))
        self.last = line
        return line


class ShapeError(Exception):
    """The csv module refused the text at a record (a quote problem)."""

    def __init__(self, row: int, line: int, message: str) -> None:
        super().__init__(message)
        self.row, self.line, self.message = row, line, message


def records(path: Path, encoding: str, delimiter: str, titles: int = 0) -> Iterator[Record]:
    """Every data record of the file with its lines; raises `ShapeError` on a quote problem.
    `titles`: the non-blank records above the header (title rows), skipped like it."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, FIELD_LIMIT))
    try:
        with path.open(encoding=encoding, newline="") as handle:
            lines = _CountingLines(handle)
            reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
            row = -1 - titles  # the header is record 0
            end_line, end_bytes = 0, 0
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:
                    raise ShapeError(row + 1, end_line + 1, str(e)) from e
                start_line, start_bytes = end_line + 1, end_bytes
                end_line, end_bytes = reader.line_num, lines.bytes
                if not fields:
                    continue  # a blank line, which DuckDB skips too
                row += 1
                if row <= 0:
                    continue
                terminator = len(lines.last) - len(lines.last.rstrip("\r\n"))
                yield Record(row, start_line, end_line, fields, end_bytes - start_bytes - terminator)
    finally:
        csv.field_size_limit(previous)


def record_lines(path: Path, encoding: str, delimiter: str, rows: Iterable[int], titles: int = 0) -> dict[int, int]:
    """Data row -> the file line its record starts on, for the rows asked (reading no further)."""
    wanted = set(rows)
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    try:
        for record in records(path, encoding, delimiter, titles):
            if record.row in wanted:
                found[record.row] = record.line
            if record.row >= last:
                break
    except ShapeError:
        pass  # DuckDB read the file, so this cannot happen; rows without a line keep their row
    return found


@dataclass(frozen=True)
class Malformed:
    """Why a file could not be loaded, and where."""

    row: int | None
    line: int | None
    reason: str
    column: str | None = None  # as the file heads it


def _lines(record: Record) -> str:
    return str(record.line) if record.last_line == record.line else f"{record.line}–{record.last_line}"


def first_malformed(path: Path, encoding: str, delimiter: str, width: int, titles: int = 0) -> Malformed | None:
    """The first record DuckDB's reader would refuse — too long, another number of fields than
    the header, a quote left open or misplaced — with its line and a reason; None if none is."""
    shown = "tab" if delimiter == "\t" else delimiter
    try:
        for record in records(path, encoding, delimiter, titles):
            if record.size > MAX_LINE_BYTES:
                text = reason("csv_line_too_long", lines=_lines(record), size=record.size, limit=MAX_LINE_BYTES)
                return Malformed(record.row, record.line, text)
            found = len(record.fields)
            if found == width:
                continue
            if found == 1 and width > 1:
                key = "csv_one_field"
            else:
                key = "csv_too_many_fields" if found > width else "csv_too_few_fields"
            text = reason(key, found=found, width=width, delimiter=shown)
            if record.last_line > record.line:
                text += "; " + reason("csv_spans_lines", lines=_lines(record))
            return Malformed(record.row, record.line, text)
    except ShapeError as e:
        key = "csv_unterminated_quote" if "end of data" in e.message else "csv_misplaced_quote"
        return Malformed(e.row or None, e.line, reason(key, delimiter=shown))
    return None
