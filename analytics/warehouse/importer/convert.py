"""Staging text -> one typed table per target table, in a single set-based pass.

Each row of the typed table carries the warehouse-typed values plus `_file` (index into the
table's files), `_row` (data row number), `_flags` (`FLAGS` bits per column: bit 4i = a required
value is blank, 4i+1 = a value did not convert, 4i+2 = it has more decimals than the column
holds, 4i+3 = a text holds a control character) and `_raw` (the trimmed cells, kept only for
flagged rows so that messages can quote them).

Accepted spellings:
- integers and decimals as DuckDB casts them (`12`, `12.0`, `1e3`, `-0.5`), also with thousands
  separators (`1,234.50`) and, for yuan amounts, a `元` suffix or `¥` prefix (`1,234元`); an
  integer column refuses a fraction and a decimal column more decimals than it holds (`12.345`
  for a 2-place column), rather than rounding them (DuckDB's cast would, silently);
- booleans from contract TRUE_WORDS / FALSE_WORDS (a blank required boolean is false, as ""
  is a false word);
- dates `2024-01-31`, `2024/1/31`, `20240131`, `2024.1.31`, `2024年1月31日` (a time of day
  after the date, as spreadsheets add, is dropped);
- month columns also `2024-01`, `202401`, `2024/01`, `2024.1`, `2024年1月`; a month given as a
  day must be the 1st (the DDL's month check then refuses `2024-01-15` with its own reason);
- dates and months also as Excel serial day numbers (`46296` = 2026-10-01: days since
  1899-12-30, as a date cell reads when exported without its format), five digits;
- timestamps: those date forms except `2024.1.31`, optionally followed by `HH:MM[:SS[.fff]]`
  (or `T…`), and `20240131093000`;
- enum labels or their contract aliases; lists of them separated by `;` `,` `，` `、` `；`,
  optionally in brackets (a blank required list is the empty list).
Every value is trimmed of surrounding whitespace, full-width spaces included; a required text
that is blank after trimming is blank. Texts refuse control characters (NUL, ESC, DEL, C1…;
free-text columns keep tabs and line breaks), which nothing downstream can show or print.

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
# Control characters refused in texts (RE2 classes): C0 but tab and line breaks in free text,
# DEL, C1, and the non-characters U+FFFE/U+FFFF; none of them can be written into a Word or
# Excel file (XML) nor shown.
CONTROL = r"[\x00-\x1f\x7f-\x9f\x{fffe}\x{ffff}]"
CONTROL_FREE_TEXT = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffe}\x{ffff}]"
# A number with thousands separators: 1,234 or -1,234,567.50 (not 1,5 nor 12,34).
GROUPED_NUMBER = r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
# Bits of `_flags` per column: blank, not converted, too many decimals, control character.
FLAGS = 4

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


def _number_shape(raw: str, column: Column) -> str:
    """The cell as DuckDB casts numbers: thousands separators dropped, for amounts also a `元`
    suffix and `¥` prefix. Only cells holding a comma or those signs go through a regex."""
    cleaned = raw
    test = f"contains({raw}, ',')"
    if column.is_amount:
        test += f" or suffix({raw}, '元') or {raw} like '¥%' or {raw} like '￥%'"
        cleaned = f"trim(regexp_replace({raw}, '^[¥￥]\\s*|\\s*元$', '', 'g'))"
    grouped = (
        f"case when regexp_matches({cleaned}, '{GROUPED_NUMBER}') then replace({cleaned}, ',', '') else {cleaned} end"
    )
    return f"case when {test} then {grouped} else {raw} end"


def _conversion(column: Column, raw: str, shape: str, i: int, params: dict[str, object]) -> str:
    """SQL turning the trimmed cell `raw` (NULL when blank) into the column's type; `shape` is
    the cell with date separators folded (date kinds) or number separators dropped (numbers)."""
    target = column.sql_type
    if column.kind == "text":
        return raw
    if column.kind == "integer":
        # A plain cast would round 2.5 to 3; a whole number must equal its double reading.
        return (
            f"case when try_cast({shape} as double) = try_cast({shape} as {target}) "
            f"then try_cast({shape} as {target}) end"
        )
    if column.kind == "number":
        return f"try_cast({shape} as {target})"
    if column.kind == "boolean":
        params["true_words"] = sorted(TRUE_WORDS)
        params["false_words"] = sorted(FALSE_WORDS)
        blank = "null" if column.nullable else "false"
        return (
            f"case when {raw} is null then {blank} "
            f"when list_contains($true_words, lower({raw})) then true "
            f"when list_contains($false_words, lower({raw})) then false end"
        )
    serial = f"when len({shape}) = 5 then date '1899-12-30' + try_cast({shape} as integer)"
    if column.kind == "date":
        return (
            f"case when contains({shape}, '-') then try_cast({shape} as date) "
            f"when len({shape}) = 8 then try_strptime({shape}, '%Y%m%d')::date {serial} end"
        )
    if column.kind == "month":
        return (
            f"case when {shape} like '%-%-%' then try_cast({shape} as date) "
            f"when contains({shape}, '-') then try_cast({shape} || '-01' as date) "
            f"when len({shape}) = 8 then try_strptime({shape}, '%Y%m%d')::date "
            f"when len({shape}) = 6 then try_strptime({shape}, '%Y%m')::date {serial} end"
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


def _blank(column: Column, raw: str) -> str:
    """SQL true when a required cell is blank (a text that is all whitespace included)."""
    if column.kind == "text":
        return f"({raw} is null or {raw} = '')"
    return f"{raw} is null"


def _rounded(column: Column, shape: str, typed: str) -> str | None:
    """SQL true when a decimal cell has more decimals than the column holds (the cast rounded
    it: its value differs from the cell's own reading as a double). None for other columns."""
    if column.kind != "number" or column.scale is None:
        return None
    return f"{typed}::double <> try_cast({shape} as double)"


def _control(column: Column, raw: str, params: dict[str, object]) -> str | None:
    """SQL true when a text holds a control character. None for columns that are not text."""
    if column.kind != "text":
        return None
    name = "control_free_text" if column.free_text else "control"
    params[name] = CONTROL_FREE_TEXT if column.free_text else CONTROL
    return f"regexp_matches({raw}, ${name})"


def build_typed(con: duckdb.DuckDBPyConnection, spec: TableSpec, files: list[StagedFile], name: str) -> TypedTable:
    """Create the typed temporary table `name` from all staged files of one table."""
    params: dict[str, object] = {}
    raws = [f"r{i}" for i in range(len(spec.columns))]
    dated = [i for i, c in enumerate(spec.columns) if c.kind in ("date", "month", "timestamp")]
    numeric = [i for i, c in enumerate(spec.columns) if c.kind in ("integer", "number")]
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
    shapes += "".join(f", {_number_shape(raws[i], spec.columns[i])} as s{i}" for i in numeric)
    conversions = ", ".join(
        f"{_conversion(c, raws[i], f's{i}', i, params)} as {c.ident}" for i, c in enumerate(spec.columns)
    )
    flag_terms = []
    for i, column in enumerate(spec.columns):
        bit = FLAGS * i
        if not blank_is_allowed(column):
            flag_terms.append(f"case when {_blank(column, raws[i])} then {1 << bit} else 0 end")
        flag_terms.append(f"case when {_bad(column, raws[i], column.ident)} then {1 << (bit + 1)} else 0 end")
        rounded = _rounded(column, f"s{i}", column.ident)
        if rounded:
            flag_terms.append(f"case when {rounded} then {1 << (bit + 2)} else 0 end")
        control = _control(column, raws[i], params)
        if control:
            flag_terms.append(f"case when {control} then {1 << (bit + 3)} else 0 end")
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
            select *, {conversions} from shaped
        ),
        flagged as (
            select *, ({" + ".join(f"{t}::hugeint" for t in flag_terms)}) as _flags from converted
        )
        select _file, _row, {column_list}, _flags,
            case when _flags <> 0 then [{", ".join(raws)}] end as _raw
        from flagged
        """,
        params,
    )
    return TypedTable(name, spec, tuple(files))
