"""Write a warehouse table as a CSV that `import_files` reads back to the same rows.

DuckDB writes the CSV (fast, streaming); Python only transcodes it when the encoding is not
UTF-8. With Chinese headers, each column is headed by its first contract alias, booleans are
written 是/否 and enum codes that have Chinese aliases (areas, billing units, profile kinds) by
their first alias. Lists are joined with `;`, dates and timestamps are ISO, NULL is an empty
cell and an empty string is `""`.
"""

from __future__ import annotations

import codecs
import os
import uuid
from pathlib import Path

import duckdb

from analytics.warehouse import db
from analytics.warehouse.importer.columns import Column, quote_ident, table_spec
from analytics.warehouse.importer.encoding import EncodingProblem, transcode


def _chinese_labels(column: Column) -> dict[str, str]:
    """Code -> first Chinese alias, for enum codes that are plain ASCII."""
    labels: dict[str, str] = {}
    for alias, label in column.value_aliases:
        if label.isascii() and not alias.isascii():
            labels.setdefault(label, alias)
    return labels


def _cell(column: Column, i: int, chinese: bool, params: dict[str, object]) -> str:
    ident = column.ident
    if column.kind == "boolean":
        yes, no = ("是", "否") if chinese else ("true", "false")
        return f"case when {ident} then '{yes}' when not {ident} then '{no}' end"
    if column.kind not in ("enum", "enum_list"):
        return ident
    labels = _chinese_labels(column) if chinese else {}

    def label(value: str) -> str:
        if not labels:
            return value
        params[f"code_{i}"] = list(labels)
        params[f"label_{i}"] = list(labels.values())
        return f"coalesce(map($code_{i}, $label_{i})[{value}], {value})"

    if column.kind == "enum":
        return label(f"{ident}::varchar")
    return f"array_to_string(list_transform({ident}::varchar[], lambda e: {label('e')}), ';')"


def export_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: str | os.PathLike[str],
    *,
    chinese_headers: bool = True,
    encoding: str = "gbk",
) -> None:
    """Write `table` to `path` as CSV (rows in key order), replacing the file only when done.

    Raises ValueError when a value cannot be written in `encoding` (use "gb18030" or "utf-8").
    """
    if table not in db.existing_tables(con):
        raise ValueError(f"no table {table!r} in the warehouse")
    spec = table_spec(con, table)
    target = Path(path)
    encoding = codecs.lookup(encoding).name
    params: dict[str, object] = {}
    cells = []
    for i, column in enumerate(spec.columns):
        header = column.headers[0] if chinese_headers and column.headers else column.name
        cells.append(f"{_cell(column, i, chinese_headers, params)} as {quote_ident(header)}")
    order = ", ".join(quote_ident(k) for k in spec.contract.key) or "all"
    tag = uuid.uuid4().hex[:8]
    work = target.with_name(f".{target.name}.{tag}.utf8")
    written = target.with_name(f".{target.name}.{tag}.{encoding}")
    try:
        params["path"] = str(work)
        con.execute(
            f"copy (select {', '.join(cells)} from {spec.ident} order by {order}) "
            f"to $path (format csv, header true, delimiter ',')",
            params,
        )
        if encoding == "utf-8":
            os.replace(work, target)
            return
        try:
            transcode(work, written, "utf-8", encoding)
        except EncodingProblem as e:
            raise ValueError(f"{table} -> {target}: {e}") from e
        os.replace(written, target)
    finally:
        work.unlink(missing_ok=True)
        written.unlink(missing_ok=True)
