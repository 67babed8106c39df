"""Exported files that a spreadsheet cannot run: the one guard against formula injection.

A cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is read by Excel and LibreOffice as a formula —
an imported account name `=HYPERLINK("https://…","x")` becomes a live link, `=cmd|…` worse.
OWASP's CSV-injection guidance: prefix such a cell with a single quote, so that it is read as
text. Only text is touched: numbers (a negative amount too), dates and booleans stay what they
are, so that the file still sorts and sums. Every CSV and Excel download goes through
`formula_safe` (analytics/ui/tables.py).
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe_text(value: object) -> object:
    """`value` with a leading `'` when it is text a spreadsheet would run; anything else as it is.
    Leading spaces do not hide a formula (some spreadsheets trim them before reading the cell)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell a spreadsheet would run quoted (`formula_safe_text`); columns
    of numbers, dates and booleans untouched. Column headers too are quoted where needed."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if (
            pd.api.types.is_object_dtype(values)
            or pd.api.types.is_string_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            safe[column] = values.map(formula_safe_text, na_action="ignore")
    return safe.rename(columns=lambda name: formula_safe_text(name) if isinstance(name, str) else name)
