"""Reading an analyst's own table (CSV in UTF-8/GBK/GB18030, XLSX, Parquet) for `train-table`.

Every cell of a CSV or XLSX is read as text, so that what a value means is decided in one place
(`prepare`) for all formats: "1,234", " 12 ", "35%" and a blank are judged alike
whatever program wrote the file.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pandas as pd


class BadTableInput(ValueError):
    """The table cannot be used; the message names the file, the column and the reason."""


CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")
# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = (",", "\t", ";", "|")


def read_table(path: Path) -> pd.DataFrame:
    """The table with stripped header names; CSV/XLSX cells as text (blank = ""), Parquet
    columns in their stored types. Raises `BadTableInput`."""
    if not path.is_file():
        raise BadTableInput(f"{path}: 文件不存在 / file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            frame = _read_csv(path)
        elif suffix in EXCEL_SUFFIXES:
            frame = pd.read_excel(path, sheet_name=0, dtype=object)
            frame = frame.apply(lambda s: s.map(_cell_text)).astype(object)
        elif suffix in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        else:
            raise BadTableInput(
                f"{path}: 不支持的文件类型 {suffix or '(无)'} / unsupported file type; use .csv, .xlsx or .parquet"
            )
    except BadTableInput:
        raise
    except (OSError, ValueError, ImportError, pd.errors.ParserError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BadTableInput(f"{path}: 无法读取 / cannot be read: {first}") from e
    frame.columns = _clean_headers(frame.columns)
    # Columns without a header and without a value (a trailing delimiter) carry nothing.
    unnamed = [c for c in frame.columns if c.startswith("Unnamed: ") and _all_blank(frame[c])]
    frame = frame.drop(columns=unnamed)
    if frame.shape[1] == 0:
        raise BadTableInput(f"{path}: 空文件，没有表头 / empty file, no header row")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise BadTableInput(f"{path}: 空文件 / empty file")
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = raw.decode("utf-16")
    else:
        for encoding in ENCODINGS:
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise BadTableInput(f"{path}: 不是 UTF-8 或 GBK/GB18030 编码 / not UTF-8, GBK or GB18030 text")
    first_line = text.split("\n", 1)[0]
    sep = max(DELIMITERS, key=first_line.count)
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _all_blank(column: pd.Series) -> bool:
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        return bool((column.isna() | (column.astype(str).str.strip() == "")).all())
    return bool(column.isna().all())


def _clean_headers(columns: pd.Index) -> list[str]:
    names = [str(c).replace("\ufeff", "").strip() for c in columns]
    seen: dict[str, int] = {}
    out = []
    for name in names:  # pandas already suffixes CSV duplicates; Parquet may not
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out
