"""What the screen tour asserts of one view, from what the browser rendered (tests/e2e/tour.py reads
it): no exception or error box; every table shows a column that identifies its rows; no cell reads
None/nan/NaT/True/False; no i18n key, snake_case name or code on screen; in Chinese, no English
month names or k/M number suffixes in charts. Each check returns problems as sentences (an empty
list when the view passes), so a failing tour lists every problem at once.
"""

from __future__ import annotations

import re
from functools import cache

from analytics.access import audit
from analytics.common import i18n
from e2e.tour import Screen

# Columns (data names, `<prefix>.col.<name>`) that say which row is which: a name or an id, or the
# thing a summary row stands for (a district, a month, a feature, a band).
IDENTIFYING = frozenset(
    {
        "account_id",
        "account_name",
        "manager_id",
        "manager_name",
        "manager",
        "owner_name",
        "district",
        "industry",
        "username",
        "display_name",
        "product",
        "area",
        "best_area",
        "month",
        "billing_month",
        "as_of",
        "test_as_of",
        "train_as_of",
        "feature",
        "feature_code",
        "model",
        "stage",  # a pipeline stage: the row of a funnel
        "title",
        "competitor",
        "contact_name",
        "opened_year",
        "bin",
        "band_label",
        "group",
        "category",
        "field",
        "object",
        "trained_at",
        "occurred_at",
        "value_class",
        "kind",
        "term",
        "priority_rank",
        "action_kind",  # the rows of the measured effects: one per action kind
        "top_k",  # the rows of the two rankings compared: one per K
        "rank",
    }
)
RAW_CELLS = frozenset({"None", "none", "nan", "NaN", "NaT", "<NA>", "null", "True", "False"})
FILE_SUFFIX = re.compile(r"\.(csv|xlsx|docx|pdf|png|toml|duckdb|py|sql)$")
SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.@/-])")
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
SI_SUFFIX = re.compile(r"^[−-]?\d+(\.\d+)?[kMGB]$")
# Names that are data, not code: the demo users' user names.
DATA_WORDS = frozenset({"district_head"})


def _texts(keys) -> set[str]:
    table = i18n.table()
    return {table[k][lang].strip() for k in keys if k in table for lang in ("zh", "en")}


@cache
def identifying_headers() -> set[str]:
    """Every header text (both languages) of an identifying column."""
    return _texts(k for k in i18n.table() if ".col." in k and k.rsplit(".col.", 1)[1] in IDENTIFYING)


@cache
def _key_pattern() -> re.Pattern[str]:
    prefixes = sorted({k.split(".", 1)[0] for k in i18n.table() if "." in k}, key=len, reverse=True)
    return re.compile(rf"(?<![\w/])(?:{'|'.join(map(re.escape, prefixes))})\.[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\b")


@cache
def _codes() -> set[str]:
    """Codes that must be shown worded: roles and audit actions."""
    return {k.split(".", 1)[1] for k in i18n.table() if k.startswith("user_role.")} | set(audit.ACTIONS)


@cache
def _code_columns() -> set[str]:
    """Headers of columns whose values are codes (role, action): their cells must be worded."""
    return _texts(k for k in i18n.table() if k.endswith((".col.role", ".col.action")))


def problems(screen: Screen, where: str, lang: str) -> list[str]:
    """Every problem of one view (see the module's docstring)."""
    found = [f"{where}: error on screen: {e}" for e in screen.errors]
    ids = identifying_headers()
    codes, code_columns = _codes(), _code_columns()
    for n, table in enumerate(screen.tables, 1):
        headers = table["headers"]
        name = f"{where}: table {n} ({' | '.join(headers)})"
        if not any(h in ids for h in headers):
            found.append(f"{name}: no column that identifies its rows (a name or an id)")
        bad: dict[tuple[str, str], list[int]] = {}  # (column, what it reads) -> rows
        for r, row in enumerate(table["rows"], 1):
            for c, cell in enumerate(row):
                header = headers[c] if c < len(headers) else f"#{c + 1}"
                if cell in RAW_CELLS:
                    bad.setdefault((header, f"reads {cell!r}"), []).append(r)
                elif lang == "zh" and header in code_columns and cell in codes:
                    bad.setdefault((header, f"shows codes such as {cell!r}"), []).append(r)
        for (header, what), rows in bad.items():
            found.append(f"{name}: column {header!r} {what} ({len(rows)} of the rows in view, e.g. row {rows[0]})")
        for header in headers:
            if SNAKE.fullmatch(header) or _key_pattern().fullmatch(header):
                found.append(f"{name}: header {header!r} is a code, not a label")
    text = screen.text
    for match in sorted(set(_key_pattern().findall(text))):
        if not FILE_SUFFIX.search(match):
            found.append(f"{where}: untranslated text key {match!r} on screen")
    for match in sorted(set(SNAKE.findall(text)) - DATA_WORDS - set(screen.icons)):
        found.append(f"{where}: raw name {match!r} on screen")
    for m in screen.metrics:
        if m["value"] in RAW_CELLS or m["value"] in ("", "nan %", "None %"):
            found.append(f"{where}: KPI {m['label']!r} reads {m['value']!r}")
    if lang == "zh":
        foreign = [c for c in dict.fromkeys(screen.charts) if ENGLISH_MONTH.search(c) or SI_SUFFIX.match(c)]
        if foreign:
            found.append(f"{where}: chart axis text in Chinese mode with English months or k/M suffixes: {foreign[:6]}")
    return found


def label_pattern(key: str, lang: str) -> re.Pattern[str]:
    """A pattern for the KPI label of i18n `key` (its placeholders, such as a month, match anything)."""
    template = i18n.table()[key][lang].strip()
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$")


def count(value: str, *, denominator: bool = False) -> int | None:
    """The number a KPI shows ("1,234", or "12 / 195" whose second part with `denominator`)."""
    parts = value.split("/")
    part = parts[-1] if denominator else parts[0]
    digits = re.sub(r"[,\s]", "", part)
    return int(digits) if digits.isdigit() else None
