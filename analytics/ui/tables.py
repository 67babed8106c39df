"""The one way a page draws a table and offers a file: `table` and `download`.

`table` draws a DataFrame whose columns are data names (`revenue_at_risk_yuan`), each with a column
config chosen by `column_config` — its header from the i18n table (`<prefix>.col.<name>`) and a
format for yuan, shares, scores, dates and counts; text columns get an explicit text column, never
None (None hides a column in the browser). One format per kind, the same in every table: shares
and probabilities with one decimal (78.1%, 2.2%: drawn as percent points, `shown_values`), yuan
whole with thousands separators, scores with four places. Files keep numbers as numbers, rounded
to what the figure means (`file_values`: shares 4 places, yuan 2), not 0.5714657409592867.
`download` is the one audited export: the file (CSV with
a byte-order mark for Excel, XLSX, or any bytes a page makes, such as the proposal) is written only
when the button is clicked, and the click goes to the audit trail with who, what and the file name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.access import audit
from analytics.common import i18n
from analytics.ui.connection import connection, db_path
from analytics.ui.language import lang, speaking, t
from analytics.ui.signin import current_user
from analytics.views import exports, opportunities

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHOWN = 500  # rows drawn at most; a province's lists run to thousands, the download has them all
MOST_ROWS = 20  # rows a table shows before it scrolls

# Columns whose names do not say their format by a suffix.
PERCENT = frozenset(
    {
        "revenue_share",
        "share_from",
        "share_to",
        "revenue_change_yoy",
        "retention",
        "truth_ratio",
        "share",
        "precision",
        "recall",
        "f1",
        "precision_same",
        "recall_same",
        "f1_same",
        "mean_predicted",
    }
)
PERCENT_SUFFIXES = ("_rate", "_share", "probability", "propensity")
PERCENT_FORMAT = "%.1f%%"
FOUR_PLACES = frozenset(
    {
        "auc",
        "pr_auc",
        "truth_auc",
        "holdings_auc",
        "truth_need_auc",
        "need_auc",
        "brier",
        "ece",
        "mean_abs_contribution",
        "weight",
        "threshold",
        # 模型监控 (analytics/ui/monitoring.py)
        "backtest_auc",
        "threshold_auc",
        "realised_auc",
        "psi",
        "psi_max",
    }
)
TWO_PLACES = frozenset({"lift_top_decile"})
SIGNED_POINTS = frozenset({"share_change_points"})
# Long text gets room; the account (and its rank) stays in view while a wide table scrolls sideways.
WIDE = frozenset({"churn_reasons", "kind_reasons", "top_reason", "sell_reason", "products", "description", "notes"})
PINNED = frozenset({"priority_rank", "account_name"})
LINK_SUFFIX = "_link"  # a column of addresses inside the app (…?account=ID), drawn as a link
# Widths in pixels. The browser sizes a column without a width to its header and first rows only
# (and at most 500 px): a longer value further down is cut ("3,3" for 3,345). A text column whose
# widest value needs more room than its first rows gets that room; a long-text column (WIDE) gets
# at least "large" and up to WIDEST, so that three reasons or a product list read whole.
LARGE = 400
WIDEST = 760
AUTO_ROWS = 10  # the rows the browser measures
AUTO_MOST = 500  # the widest column it sizes by itself
CELL_PADDING = 24
# Rows taller than 4rem let the browser wrap text in its cells: a list that must be read whole on
# one screen (the at-risk list: reasons and the action taken) draws its long Chinese text in a few
# lines, in columns just wide enough for that, instead of one line running off the right edge. The
# rows hold four lines and the columns are sized for three (one spare for uneven breaks). The
# browser decides to wrap by measuring a line's first characters at the average width of all text
# drawn so far, so English beside Chinese names is left on one line (seen in Chromium, Streamlit
# 1.67): text mostly of Latin letters keeps the one-line width of a long-text column instead.
WRAPPED_ROW = 88
WRAP_LINES = 3.0
WRAP_LINES_OF = {"products": 2.5}  # product lists break only at their separators: fewer, longer lines
WRAPPED_MOST = 560  # English runs half again as long as Chinese
WRAPPABLE = WIDE | {"latest_action", "action"}
NARROWEST_WRAPPED = 160

Worded = Callable[[pd.DataFrame], pd.DataFrame]


def header(name: str, prefix: str | None, lang: str) -> str:
    """The header of column `name`: `<prefix>.col.<name>` in `lang`, or the name itself when the
    frame's columns are already worded for people (prefix None)."""
    return name if prefix is None else i18n.text(f"{prefix}.col.{name}", lang)


def column(name: str, label: str, values: pd.Series, wrapped: bool = False) -> dict[str, Any]:
    """The column config of one column: by its name's unit suffix first, then by its values' type.
    Always a config with the label; never None, which would hide the column. `wrapped`: the table's
    rows are tall enough for text to wrap (WRAPPED_ROW), long-text columns are sized for that."""
    cc = st.column_config
    if name.endswith("_yuan"):
        return cc.NumberColumn(label, format="localized")
    if is_percent(name):  # values in percent points (`shown_values`)
        return cc.NumberColumn(label, format=PERCENT_FORMAT)
    if name in FOUR_PLACES:
        return cc.NumberColumn(label, format="%.4f")
    if name in TWO_PLACES:
        return cc.NumberColumn(label, format="%.2f")
    if name in SIGNED_POINTS:
        return cc.NumberColumn(label, format="%+.2f")
    text = values.dtype == object or pd.api.types.is_string_dtype(values)
    if name.endswith("_on") and not text:
        return cc.DateColumn(label, format="YYYY-MM-DD")
    if (name.endswith("_at") and not text) or pd.api.types.is_datetime64_any_dtype(values):
        return cc.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
    if pd.api.types.is_bool_dtype(values):
        return cc.CheckboxColumn(label)
    if pd.api.types.is_numeric_dtype(values):  # counts, ranks, rows: 4,285 as the other figures
        return cc.NumberColumn(label, format="localized", pinned=name in PINNED or None)
    if name.endswith(LINK_SUFFIX):
        return cc.LinkColumn(label, display_text=t("app.open_link"))
    return cc.TextColumn(label, width=text_width(name, label, values, wrapped), pinned=name in PINNED or None)


def shown_width(value: object) -> int:
    """Pixels a value takes in a table cell (14 px per CJK or full-width character, 7 per Latin
    letter, 8 per other: digits and signs, so that a yuan figure is never under-measured)."""
    shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    wide = sum(
        14 if unicodedata.east_asian_width(c) in "WF" else 7 if c.isascii() and c.isalpha() else 8 for c in shown
    )
    return wide + CELL_PADDING


def mostly_chinese(values: pd.Series) -> bool:
    """Whether most characters of `values` are Chinese (or other full-width) characters."""
    text = "".join(str(v) for v in values if isinstance(v, str))
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return bool(text) and wide >= len(text.replace(" ", "")) / 2


def text_width(name: str, label: str, values: pd.Series, wrapped: bool = False) -> str | int | None:
    """The width of a text column: None (the browser's own) when its first rows are as wide as any;
    else the pixels its widest value needs. Long-text columns (WIDE): "large", or more up to WIDEST;
    in a table of wrapped rows, enough for their widest value in WRAP_LINES lines (up to WRAPPED_MOST)."""
    widest = max([shown_width(label), *(shown_width(v) for v in values)])
    if wrapped and name in WRAPPABLE and mostly_chinese(values):
        lines = WRAP_LINES_OF.get(name, WRAP_LINES)
        return max(shown_width(label), NARROWEST_WRAPPED, min(round(widest / lines) + CELL_PADDING, WRAPPED_MOST))
    if name in WIDE:
        return "large" if widest <= LARGE else min(widest, WIDEST)
    first = max([shown_width(label), *(shown_width(v) for v in values.head(AUTO_ROWS))])
    return min(widest, AUTO_MOST) if widest > first else None


def is_percent(name: str) -> bool:
    """Whether column `name` holds a share or a probability (0.25 meaning 25 %)."""
    return name.endswith(PERCENT_SUFFIXES) or name in PERCENT


def shown_values(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the values as `column` draws them: shares and probabilities in percent points
    (the browser's own "percent" format varies its decimals from row to row), yuan rounded to
    whole yuan. Sorting in the browser still sorts numbers."""
    changed = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            if values.isna().any():  # drawn as a grey "None" otherwise
                changed[name] = values.astype(object).where(values.notna(), "")
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            if values.isna().any():  # as text, an empty cell where there is no time (sorts as before)
                pattern = "%Y-%m-%d" if str(name).endswith("_on") else "%Y-%m-%d %H:%M"
                changed[name] = values.dt.strftime(pattern).astype(object).where(values.notna(), "")
            continue
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if is_percent(str(name)):
            changed[name] = values.astype(float) * 100
        elif str(name).endswith("_yuan"):
            changed[name] = values.astype(float).round(0)
    return frame.assign(**changed) if changed else frame


def file_values(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with float columns rounded to what they mean, for a downloaded file: yuan to the
    fen, shares and probabilities to four places (0.5715), scores to four, other floats to four."""
    changed = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values):
            changed[name] = values.round(2 if str(name).endswith("_yuan") else 4)
    return frame.assign(**changed) if changed else frame


def column_config(
    shown: pd.DataFrame, prefix: str | None, lang: str, wrapped: bool = False
) -> dict[str, dict[str, Any]]:
    """A column config for every column of `shown`, headers in `lang`."""
    return {
        str(name): column(str(name), header(str(name), prefix, lang), shown[name], wrapped) for name in shown.columns
    }


def height(rows: int, row_height: int | None = None) -> int:
    """Pixels for a table that shows up to MOST_ROWS rows (of `row_height`) before it scrolls."""
    return 38 + (row_height or 35) * min(max(rows, 1), MOST_ROWS if row_height is None else MOST_ROWS // 2)


def table(
    data: pd.DataFrame,
    prefix: str | None = None,
    *,
    key: str | None = None,
    file_name: str | None = None,
    worded: Worded | None = None,
    where: DeltaGenerator | None = None,
    wrap: bool = False,
) -> None:
    """Draw `data` (columns named as in the data, headers `<prefix>.col.<name>`; prefix None for a
    frame already worded for people), or a note when it has no rows. With `wrap`, rows are tall
    enough (WRAPPED_ROW) for long text to wrap in its cell, read whole without scrolling sideways.

    `worded` turns rows into what people read (display names of codes, the columns shown); it is
    applied to the first MAX_SHOWN rows only, and to the whole frame when it is downloaded. With
    `file_name` a button below downloads every row as CSV (or XLSX for a .xlsx name)."""
    place = where or st
    if data.empty:
        place.info(t("app.no_rows"))
        return
    shown = data.head(MAX_SHOWN)
    shown = shown_values(worded(shown) if worded else shown)
    # tall rows only where some long text will wrap (Chinese: see WRAPPED_ROW)
    wrap = wrap and any(str(c) in WRAPPABLE and mostly_chinese(shown[c]) for c in shown.columns)
    config = column_config(shown, prefix, lang(), wrap)
    place.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height(len(shown), WRAPPED_ROW if wrap else None),
        row_height=WRAPPED_ROW if wrap else None,
        key=key,
        column_config=config,
        placeholder="",  # a missing number is an empty cell, as missing text is (not a grey "None")
    )
    if len(data) > MAX_SHOWN:
        place.caption(t("app.truncated", shown=MAX_SHOWN, total=len(data)))
    if file_name:
        download(data, prefix, file_name=file_name, key=f"{key or file_name}_download", worded=worded, where=where)


# ---- files -------------------------------------------------------------------------------------


def csv_bytes(data: pd.DataFrame, prefix: str | None, lang: str) -> bytes:
    """`data` as CSV with headers in `lang`; UTF-8 with a byte-order mark, so that Excel opens the
    Chinese text. Text a spreadsheet would run as a formula is quoted (`exports.formula_safe`)."""
    headers = {name: header(str(name), prefix, lang) for name in data.columns}
    # CRLF rows (what Excel writes): a field holding a bare carriage return is then quoted too
    safe = exports.formula_safe(file_values(data).rename(columns=headers))
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(data: pd.DataFrame, prefix: str | None, lang: str, sheet: str) -> bytes:
    """`data` as one sheet of an .xlsx workbook, headers in `lang`, numbers kept as numbers and
    text a spreadsheet would run as a formula quoted (`exports.formula_safe`)."""
    headers = {name: exports.formula_safe_text(header(str(name), prefix, lang)) for name in data.columns}
    return opportunities.excel_bytes(exports.formula_safe(file_values(data)), headers, sheet)


def download(
    data: pd.DataFrame | Callable[[], bytes],
    prefix: str | None = None,
    *,
    file_name: str,
    key: str,
    what: str | None = None,
    worded: Worded | None = None,
    sheet: str | None = None,
    text: str | None = None,
    mime: str | None = None,
    help: str | None = None,
    icon: str | None = None,
    where: DeltaGenerator | None = None,
) -> None:
    """A download button whose file is written only when it is clicked, the export then recorded
    in the audit trail (who, `what` — by default "<prefix> table" — and the file name).

    `data` is a frame (worded by `worded`, headers `<prefix>.col.<name>`; CSV, or XLSX with sheet
    `sheet` for a .xlsx `file_name`) or a function returning the file's bytes (e.g. a Word
    document, with `text` and `mime` given). The file is written in the language of this run."""
    suffix = PurePath(file_name).suffix.lower()
    who, con, language = current_user(), connection(db_path()), lang()
    obj = what or f"{(prefix or 'page').replace('_', ' ')} table"

    def make() -> bytes:
        if callable(data):
            return data()
        rows = worded(data) if worded else data
        if suffix == ".xlsx":
            return xlsx_bytes(rows, prefix, language, sheet or PurePath(file_name).stem)
        return csv_bytes(rows, prefix, language)

    def written() -> bytes:
        # Runs when clicked, outside the script run: who, where and the language were taken above.
        audit.record(con.cursor(), who.username if who else "—", who.role if who else None, "export", obj, file_name)
        with speaking(language):
            return make()

    default_text = "app.download_xlsx" if suffix == ".xlsx" else "app.download_csv"
    (where or st).download_button(
        text or t(default_text),
        data=written,
        file_name=file_name,
        mime=mime or (XLSX_MIME if suffix == ".xlsx" else CSV_MIME),
        key=key,
        help=help,
        icon=icon,
        on_click="ignore",
    )
