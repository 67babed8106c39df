"""Staging text -> one typed table per target table, in a single set-based pass.

Each row of the typed table carries the warehouse-typed values plus `_file` (index into the
table's files), `_row` (data row number), `_flags` (two bits per column: bit 2i = a required
value is blank, bit 2i+1 = a value did not convert) and `_raw` (the trimmed cells, kept only for
flagged rows so that messages can quote them).

Accepted spellings:
- integers and decimals as DuckDB casts them (`12`, `12.0`, `1e3`, `-0.5`), but an integer
  column refuses a fraction rather than rounding it;
- booleans from contract TRUE_WORDS / FALSE_WORDS (a blank required boolean is false, as ""
  is a false word);
- dates `2024-01-31`, `2024/1/31`, `20240131`, `2024.1.31`, `2024年1月31日` (a time of day
  after the date, as spreadsheets add, is dropped);
- month columns also `2024-01`, `202401`, `2024/01`, `2024.1`, `2024年1月`; a month given as a
  day must be the 1st (the DDL's month check then refuses `2024-01-15` with its own reason);
- timestamps: those date forms except `2024.1.31`, optionally followed by `HH:MM[:SS[.fff]]`
  (or `T…`), and `20240131093000`;
- enum labels or their contract aliases; lists of them separated by `;` `,` `，` `、` `；`,
  optionally in brackets (a blank required list is the empty list).
Every value is trimmed of surrounding whitespace, full-width spaces included.

Speed: a failing `try_cast` / `try_strptime` costs far more than a succeeding one (a format list
tries each in turn), so every cell is routed by its shape (`like`, length) to the one parser
that should read it, and trimming and separator folding run only on cells that need them.
Formats and separators below are code constants written into the SQL; cell values are never.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analytics.warehouse.contract import FALSE_WORDS, TRUE_WORDS
from analytics.warehouse.importer.columns import Column, TableSpec, quote_ident
from analytics.warehouse.importer.read import StagedFile

# Whitespace trimmed from every cell, full-width and no-break spaces included.
WHITESPACE = " \t\r\n\u3000\u00a0"
LIST_SEPARATORS = r"[;,，、；]"

# What a value of each kind should look like, for messages.
EXPECTED: dict[str, tuple[str, str]] = {
    "integer": ("不是整数", "not a whole number"),
    "number": ("不是有效数字", "not a valid number"),
    "boolean": ("不是 是/否 值", "not a yes/no value (是/否, true/false, 1/0)"),
    "date": ("不是有效日期", "not a valid date (e.g. 2024-01-31, 2024/1/31, 20240131)"),
    "month": ("不是有效月份", "not a valid month (e.g. 2024-01, 202401, 2024-01-01)"),
    "timestamp": ("不是有效时间", "not a valid date-time (e.g. 2024-01-31 09:30:00)"),
    "enum": ("不是允许的值", "not an allowed value"),
    "enum_list": ("含有不允许的值", "contains a value that is not allowed"),
    "text": ("无法读取", "cannot be read"),
    "other": ("无法转换", "cannot be converted"),
}


@dataclass(frozen=True)
class TypedTable:
    name: str  # temporary table
    spec: TableSpec
    files: tuple[StagedFile, ...]  # `_file` indexes this

    @property
    def ident(self) -> str:
        return quote_ident(self.name)


def blank_is_allowed(column: Column) -> bool:
    """Whether a blank cell is a value: nullable columns, false booleans, empty lists."""
    if column.nullable or column.kind == "enum_list":
        return True
    return column.kind == "boolean" and "" in FALSE_WORDS


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trimmed(cell: str) -> str:
    """The cell without surrounding whitespace. Testing the first and last character before
    trimming is cheaper than trimming every cell (measured 2.5 times), as most have none."""
    edge = ", ".join(str(ord(c)) for c in WHITESPACE)
    return (
        f"case when ascii({cell}) in ({edge}) or ascii({cell}[-1]) in ({edge}) "
        f"then trim({cell}, {_sql_text(WHITESPACE)}) else {cell} end"
    )


def _date_shape(raw: str, kind: str) -> str:
    """Date separators `/` `.` `年` `月` folded to `-` (`日` dropped); timestamps keep `.`."""
    if kind == "timestamp":
        return f"case when regexp_matches({raw}, '[/年月日]') then translate({raw}, '/年月日', '---') else {raw} end"
    return (
        f"case when regexp_matches({raw}, '[/.年月日]') "
        f"then rtrim(translate({raw}, '/.年月日', '----'), '-') else {raw} end"
    )


def _conversion(column: Column, raw: str, shape: str, i: int, params: dict[str, object]) -> str:
    """SQL turning the trimmed cell `raw` (NULL when blank) into the column's type; `shape` is
    the cell with date separators folded (date kinds only)."""
    target = column.sql_type
    if column.kind == "text":
        return raw
    if column.kind == "integer":
        # A plain cast would round 2.5 to 3; a whole number must equal its double reading.
        return f"case when try_cast({raw} as double) = try_cast({raw} as {target}) then try_cast({raw} as {target}) end"
    if column.kind == "boolean":
        params["true_words"] = sorted(TRUE_WORDS)
        params["false_words"] = sorted(FALSE_WORDS)
        blank = "null" if column.nullable else "false"
        return (
            f"case when {raw} is null then {blank} "
            f"when list_contains($true_words, lower({raw})) then true "
            f"when list_contains($false_words, lower({raw})) then false end"
        )
    if column.kind == "date":
        return (
            f"case when contains({shape}, '-') then try_cast({shape} as date) "
            f"when len({shape}) = 8 then try_strptime({shape}, '%Y%m%d')::date end"
        )
    if column.kind == "month":
        return (
            f"case when {shape} like '%-%-%' then try_cast({shape} as date) "
            f"when contains({shape}, '-') then try_cast({shape} || '-01' as date) "
            f"when len({shape}) = 8 then try_strptime({shape}, '%Y%m%d')::date "
            f"when len({shape}) = 6 then try_strptime({shape}, '%Y%m')::date end"
        )
    if column.kind == "timestamp":
        return (
            f"case when contains({shape}, '-') then try_cast({shape} as timestamp) "
            f"when contains({shape}, ' ') then "
            f"try_strptime({shape}, ['%Y%m%d %H:%M:%S', '%Y%m%d %H:%M']) "
            f"when len({shape}) = 8 then try_strptime({shape}, '%Y%m%d') "
            f"when len({shape}) = 14 then try_strptime({shape}, '%Y%m%d%H%M%S') end"
        )
    if column.kind in ("enum", "enum_list"):

        def label(value: str) -> str:
            if not column.value_aliases:
                return value
            params[f"alias_from_{i}"] = [a for a, _ in column.value_aliases]
            params[f"alias_to_{i}"] = [b for _, b in column.value_aliases]
            return f"coalesce(map($alias_from_{i}, $alias_to_{i})[{value}], {value})"

        if column.kind == "enum":
            return f"try_cast({label(raw)} as {target})"
        items = (
            f"list_filter(list_transform(string_split_regex(trim({raw}, '[]'), "
            f"'{LIST_SEPARATORS}'), lambda e: trim(e, {_sql_text(WHITESPACE)})), "
            f"lambda e: e <> '')"
        )
        converted = f"try_cast(list_transform({items}, lambda e: {label('e')}) as {target})"
        blank = "null" if column.nullable else f"[]::{target}"
        return f"case when {raw} is null then {blank} else {converted} end"
    return f"try_cast({raw} as {target})"


def _bad(column: Column, raw: str, typed: str) -> str:
    """SQL true when a non-blank cell did not convert."""
    bad = f"({raw} is not null and {typed} is null)"
    if column.kind == "enum_list":
        bad += f" or list_count({typed}) < len({typed})"
    return bad


def build_typed(con: duckdb.DuckDBPyConnection, spec: TableSpec, files: list[StagedFile], name: str) -> TypedTable:
    """Create the typed temporary table `name` from all staged files of one table."""
    params: dict[str, object] = {}
    raws = [f"r{i}" for i in range(len(spec.columns))]
    dated = [i for i, c in enumerate(spec.columns) if c.kind in ("date", "month", "timestamp")]
    selects = []
    for n, staged in enumerate(files):
        cells = []
        for i, column in enumerate(spec.columns):
            source = staged.columns.get(column.name)
            if source is None:
                cells.append(f"null::varchar as r{i}")
            elif column.kind == "text":
                cells.append(f"{_trimmed(quote_ident(source))} as r{i}")
            else:
                cells.append(f"nullif({_trimmed(quote_ident(source))}, '') as r{i}")
        selects.append(
            f"select {n} as _file, {staged.row_expr} as _row, {', '.join(cells)} from {quote_ident(staged.staging)}"
        )
    shapes = "".join(f", {_date_shape(raws[i], spec.columns[i].kind)} as s{i}" for i in dated)
    conversions = ", ".join(
        f"{_conversion(c, raws[i], f's{i}', i, params)} as {c.ident}" for i, c in enumerate(spec.columns)
    )
    flag_terms = []
    for i, column in enumerate(spec.columns):
        if not blank_is_allowed(column):
            flag_terms.append(f"case when {raws[i]} is null then {1 << (2 * i)} else 0 end")
        flag_terms.append(f"case when {_bad(column, raws[i], column.ident)} then {1 << (2 * i + 1)} else 0 end")
    column_list = ", ".join(c.ident for c in spec.columns)
    con.execute(
        f"""
        create temp table {quote_ident(name)} as
        with raw as (
            {" union all ".join(selects)}
        ),
        shaped as (
            select *{shapes} from raw
        ),
        converted as (
            select _file, _row, {", ".join(raws)}, {conversions} from shaped
        ),
        flagged as (
            select *, ({" + ".join(flag_terms)})::bigint as _flags from converted
        )
        select _file, _row, {column_list}, _flags,
            case when _flags <> 0 then [{", ".join(raws)}] end as _raw
        from flagged
        """,
        params,
    )
    return TypedTable(name, spec, tuple(files))
