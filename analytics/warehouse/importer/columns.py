"""A table as the importer sees it: the warehouse's column types and checks plus the contract.

Types, nullability, enum labels and CHECK constraints are read from the warehouse (the DDL is
their one source); headers, value aliases, keys and references come from `analytics.warehouse.contract`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import duckdb

from analytics.warehouse import db
from analytics.warehouse.contract import CONTRACTS, VALUE_ALIASES, TableContract

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_NUMBER_TYPES = {"FLOAT", "REAL", "DOUBLE"}
_ENUM_LABEL = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # what the warehouse column is; also the cast target of the import
    # text | integer | number | boolean | date | month | timestamp | enum | enum_list | other
    kind: str
    nullable: bool
    labels: tuple[str, ...] = ()  # allowed enum labels
    value_aliases: tuple[tuple[str, str], ...] = ()  # (alias, label) of VALUE_ALIASES
    headers: tuple[str, ...] = ()  # header aliases from the contract
    scale: int | None = None  # decimal places a DECIMAL column holds
    ceiling: int | None = None  # the largest plausible value (contract `ceilings`)
    future_years: int | None = None  # years ahead a date may lie (contract `future_years`)
    free_text: bool = False  # tabs and line breaks allowed (contract `free_text`)

    @property
    def ident(self) -> str:
        return quote_ident(self.name)

    @property
    def is_amount(self) -> bool:
        """A yuan amount: a `元` suffix or `¥` prefix is accepted."""
        return self.kind == "number" and self.name.endswith("_yuan")


@dataclass(frozen=True)
class Check:
    """One CHECK constraint of the DDL and the message it gives when a row breaks it."""

    expression: str
    column: str  # the column blamed
    other: str | None  # the column it is compared with (date order), if any
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...]
    contract: TableContract

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def ident(self) -> str:
        return quote_ident(self.name)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def normalise_header(text: str) -> str:
    """Header as compared: full-width forms folded (NFKC), BOM and all whitespace removed."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return "".join(text.split()).lower()


def enum_type_names(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, ...], str]:
    """Labels -> name of every enum type of the schema (to find VALUE_ALIASES by type name)."""
    names = con.execute(
        "select type_name from duckdb_types() where not internal and logical_type = 'ENUM' "
        "and schema_name = 'main' and database_name = current_database()"
    ).fetchall()
    if not names:
        return {}
    # One query for all types rather than `db.enum_values` per type: imports are often small.
    labels = " union all ".join(
        f"select {i} as n, enum_range(null::{quote_ident(name)})::varchar[] as labels"
        for i, (name,) in enumerate(names)
    )
    rows = con.execute(f"select n, labels from ({labels}) order by n").fetchall()
    return {tuple(values): names[i][0] for i, values in rows}


def _kind(name: str, sql_type: str, contract: TableContract) -> str:
    base = sql_type.split("(")[0].strip().upper()
    if sql_type.startswith("ENUM("):
        return "enum_list" if sql_type.endswith("[]") else "enum"
    if base == "VARCHAR":
        return "text"
    if base in _INTEGER_TYPES:
        return "integer"
    if base == "DECIMAL" or base in _NUMBER_TYPES:
        return "number"
    if base == "BOOLEAN":
        return "boolean"
    if base == "DATE":
        return "month" if name == contract.replace_by_month or name.endswith("_month") else "date"
    if base.startswith("TIMESTAMP"):
        return "timestamp"
    return "other"


def _check(expression: str, column_names: list[str]) -> Check:
    """A DDL CHECK with a reason people understand; unknown shapes get a generic reason."""
    plain = expression.strip()
    first = column_names[0]
    if re.fullmatch(r"\((\w+) >= 0\)", plain):
        return Check(plain, first, None, "不能为负数", "must not be negative")
    if re.fullmatch(r"\((\w+) > 0\)", plain):
        return Check(plain, first, None, "必须大于 0", "must be greater than 0")
    if "date_trunc('month'" in plain:
        return Check(
            plain,
            first,
            None,
            "应为月份（如 2024-01 或 2024-01-01），不能是月中某日",
            "must be a month (e.g. 2024-01 or 2024-01-01), not a day within it",
        )
    m = re.fullmatch(r"\(\((\w+) IS NULL\) OR \((\w+) >= (\w+)\)\)", plain) or re.fullmatch(
        r"\((\w+) >= (\w+)\)", plain
    )
    if m:
        later, earlier = m.groups()[-2:]
        return Check(plain, later, earlier, f"早于 {earlier}", f"is before {earlier}")
    return Check(plain, first, None, f"不满足约束 {plain}", f"breaks the check {plain}")


def table_spec(
    con: duckdb.DuckDBPyConnection,
    table: str,
    enum_names: dict[tuple[str, ...], str] | None = None,
) -> TableSpec:
    """Everything the importer needs to know about one table (`enum_names` as given by
    `enum_type_names`, passed in when several tables are read)."""
    # Tables outside the contract (written by the app, truth tables) can still be exported.
    contract = CONTRACTS.get(table) or TableContract(name=table, key=())
    if enum_names is None:
        enum_names = enum_type_names(con)
    columns = []
    for name, sql_type, nullable in db.column_types(con, table):
        kind = _kind(name, sql_type, contract)
        labels: tuple[str, ...] = ()
        aliases: tuple[tuple[str, str], ...] = ()
        if kind in ("enum", "enum_list"):
            labels = tuple(s.replace("''", "'") for s in _ENUM_LABEL.findall(sql_type))
            type_name = enum_names.get(labels)
            aliases = tuple(VALUE_ALIASES.get(type_name, {}).items()) if type_name else ()
            if type_name:
                sql_type = type_name + ("[]" if kind == "enum_list" else "")
        scale = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", sql_type.upper())
        columns.append(
            Column(
                name,
                sql_type,
                kind,
                bool(nullable),
                labels,
                aliases,
                contract.headers.get(name, ()),
                scale=int(scale.group(1)) if scale else None,
                ceiling=contract.ceilings.get(name),
                future_years=contract.future_years.get(name),
                free_text=name in contract.free_text,
            )
        )
    rows = con.execute(
        "select expression, constraint_column_names from duckdb_constraints() "
        "where table_name = ? and schema_name = 'main' and database_name = current_database() "
        "and constraint_type = 'CHECK'",
        [table],
    ).fetchall()
    checks = tuple(_check(expression, names) for expression, names in rows if names)
    return TableSpec(table, tuple(columns), checks, contract)


def header_map(spec: TableSpec) -> dict[str, str]:
    """Normalised header -> column: the column's own name and every contract alias."""
    mapping: dict[str, str] = {}
    for column in spec.columns:
        for header in (column.name, *column.headers):
            key = normalise_header(header)
            if mapping.setdefault(key, column.name) != column.name:
                raise ValueError(
                    f"contract: header {header!r} of {spec.name} names both {mapping[key]} and {column.name}"
                )
    return mapping


def file_table(stem: str, tables: tuple[str, ...] | list[str]) -> str | None:
    """The table a file name names: its stem is the table or a contract alias, optionally
    followed by `_`, `-`, a space or digits (`billing_monthly_202401`, `账单-2024`)."""
    stem = normalise_header(stem)
    best: tuple[int, str] | None = None
    for table in tables:
        for name in (table, *CONTRACTS[table].file_names):
            key = normalise_header(name)
            rest = stem[len(key) :] if stem.startswith(key) else None
            if rest is None or (rest and rest[0] not in "_-.0123456789"):
                continue
            if best is None or len(key) > best[0]:
                best = (len(key), table)
    return best[1] if best else None
