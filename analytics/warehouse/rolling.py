"""Trailing windows of the account months (sums, averages, lags, peaks, volatility) in numpy.

Why not SQL window functions: at province scale (300,000 accounts × 36 months, 8.9 M account
months) the feature mart's 42 window aggregates made it the longest step of the build (39 s of
about 80 s on two cores, and superlinear: 4 s at 50,000 accounts). The account-month spine
(`int_account_months`) has no gaps, so once the rows are sorted by account and month, the month
`d` back is the row `d` back and every `rows between n preceding and current row` frame is fixed
offsets: differences of cumulative sums for counts, a few shifted additions for amounts. Measured
at 300,000 accounts: the windows take 3 s of CPU here; the whole step (the activity's select, its
sort, the windows, storing 69 columns) 42-48 s of CPU and 23 s on a quiet machine, where the
activity table and the stored feature mart took 95-100 s of CPU.

The frames are exactly those of the SQL they replace (`tests/test_rolling.py` compares both, the
SQL kept in `tests/reference_windows.sql`): a frame ending at the current month covers only that
month and earlier ones, and months before the account's first are not there (they add nothing and
are not counted). What SQL leaves null (a lag past the first month, an average over no member
count) is null here too. Sums of counts are BIGINT (SQL's `sum` made them HUGEINT).

`create_table` streams: DuckDB sorts the rows by account and hands them over in batches; each batch
of whole accounts gets its windows and goes straight back to DuckDB to be stored. Memory holds one
batch (all rows at once: 10 GB at 300,000 accounts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from analytics import config

SORTED_SQL = config.SQL_DIR / "rolling" / "sorted_account_months.sql"
ORDER_COLUMNS = ("account_number", "month_number")  # added by SORTED_SQL, not stored
ROWS_VIEW = "account_month_rows"  # what SORTED_SQL reads: the rows before their windows
OUTPUT_BATCH_ROWS = 122_880  # a DuckDB row group


@dataclass(frozen=True)
class Window:
    """One window column: `kind` of `source` over `months` months ending `skip` months before
    the current one (`lag`: the value `months` back; `*_to_date`: the whole history so far)."""

    name: str
    kind: str  # sum, avg, max, stddev_pop, lag, sum_to_date, count_to_date
    source: str
    months: int = 0
    skip: int = 0


# In the order, and with the names, of the SQL windows they replace.
WINDOWS: tuple[Window, ...] = (
    Window("revenue_avg_3m_yuan", "avg", "revenue_yuan", 3),
    Window("revenue_avg_6m_yuan", "avg", "revenue_yuan", 6),
    Window("revenue_avg_12m_yuan", "avg", "revenue_yuan", 12),
    Window("revenue_12m_yuan", "sum", "revenue_yuan", 12),
    Window("revenue_avg_prior_3m_yuan", "avg", "revenue_yuan", 3, skip=3),
    Window("revenue_previous_month_yuan", "lag", "revenue_yuan", 1),
    Window("revenue_year_ago_yuan", "lag", "revenue_yuan", 12),
    Window("revenue_peak_12m_yuan", "max", "revenue_yuan", 12),
    Window("revenue_stddev_6m_yuan", "stddev_pop", "revenue_yuan", 6),
    Window("product_count_3m_ago", "lag", "product_count", 3),
    Window("member_count_3m_ago", "lag", "member_count", 3),
    Window("member_count_6m_ago", "lag", "member_count", 6),
    Window("member_avg_3m", "avg", "member_count", 3),
    Window("left_group_3m", "sum", "left_group_count", 3),
    Window("left_network_3m", "sum", "left_network_count", 3),
    Window("left_group_6m", "sum", "left_group_count", 6),
    Window("member_avg_6m", "avg", "member_count", 6),
    Window("complaints_6m", "sum", "complaint_count", 6),
    Window("joined_3m", "sum", "joined_count", 3),
    Window("complaints_3m", "sum", "complaint_count", 3),
    Window("complaints_12m", "sum", "complaint_count", 12),
    Window("severe_complaints_6m", "sum", "severe_complaint_count", 6),
    Window("urgent_reports_2m", "sum", "urgent_report_count", 2),
    Window("urgent_reports_6m", "sum", "urgent_report_count", 6),
    Window("other_reports_3m", "sum", "other_report_count", 3),
    Window("interactions_3m", "sum", "interaction_count", 3),
    Window("interactions_12m", "sum", "interaction_count", 12),
    Window("visits_12m", "sum", "visit_count", 12),
    *(Window(f"need_{area}_6m", "sum", f"need_{area}_count", 6) for area in config.AREAS),
    *(Window(f"need_{area}_3m", "sum", f"need_{area}_count", 3) for area in config.AREAS),
    Window("months_of_history", "count_to_date", "revenue_yuan"),
    Window("interactions_to_date", "sum_to_date", "interaction_count"),
    *(Window(f"need_{area}_to_date", "sum_to_date", f"need_{area}_count") for area in config.AREAS),
)


class Accounts:
    """Rows sorted by account and month, each account's months without gaps: row `i` is month
    `position[i]` of its account, whose first row is `start[i]`; `d` months back is row `i - d`."""

    def __init__(self, account_number: np.ndarray, month_number: np.ndarray) -> None:
        n = len(account_number)
        self.index = np.arange(n, dtype=np.int64)
        is_first = np.ones(n, dtype=bool)
        is_first[1:] = account_number[1:] != account_number[:-1]
        self.start = np.maximum.accumulate(np.where(is_first, self.index, 0))
        self.position = self.index - self.start
        if np.any(month_number - month_number[self.start] != self.position):
            raise ValueError("an account's months must be consecutive (the spine has no gaps)")
        self._before: dict[int, np.ndarray] = {}
        self._frames: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def frame(self, months: int, skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Rows [lo, hi) of each row's frame: `months` months ending `skip` months back."""
        if (months, skip) not in self._frames:
            hi = np.maximum(self.index + 1 - skip, self.start)
            self._frames[months, skip] = np.maximum(hi - months, self.start), hi
        return self._frames[months, skip]

    def has_back(self, months: int) -> np.ndarray:
        """Whether the account has a row `months` back."""
        if months not in self._before:
            self._before[months] = self.position >= months
        return self._before[months]

    def back(self, values: np.ndarray, months: int, fill: float) -> np.ndarray:
        """Each row's value `months` back in its account (`fill` before the account's first)."""
        out = np.full_like(values, fill)
        if months < len(values):
            out[months:] = values[: len(values) - months]
        out[~self.has_back(months)] = fill
        return out


class _Sources:
    """The source columns of one batch, with what several windows share computed once: nulls
    as 0, cumulative sums of integers, shifted copies of floats."""

    def __init__(self, columns: dict[str, np.ndarray], valid: dict[str, np.ndarray], accounts: Accounts) -> None:
        self.columns, self.valid, self.accounts = columns, valid, accounts
        self._cache: dict[tuple, np.ndarray] = {}

    def _cached(self, key: tuple, make) -> np.ndarray:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def values(self, source: str) -> np.ndarray:
        """The column with nulls as 0 (they add nothing)."""
        if source not in self.valid:
            return self.columns[source]
        values = self.columns[source]
        return self._cached(("values", source), lambda: np.where(self.valid[source], values, 0).astype(values.dtype))

    def present(self, source: str) -> np.ndarray:
        """1 where the column is not null."""
        if source not in self.valid:
            return self._cached(("present",), lambda: np.ones(len(self.accounts.index), dtype=np.int64))
        return self._cached(("present", source), lambda: self.valid[source].astype(np.int64))

    def back(self, source: str, months: int) -> np.ndarray:
        return self._cached(("back", source, months), lambda: self.accounts.back(self.values(source), months, 0))

    def frame_sum(self, source: str, months: int, skip: int = 0, *, count: bool = False) -> np.ndarray:
        """Sum (or, with `count`, number of non-null values) over each row's frame.

        Integers: a difference of cumulative sums (exact). Floats: one shifted addition per month,
        as a cumulative sum over an account's history would round differently from SQL; a frame
        of zeros then sums to exactly 0, which the mart's `nullif(…, 0)` relies on.
        """
        if count and source not in self.valid:
            lo, hi = self.accounts.frame(months, skip)
            return hi - lo
        values = self.present(source) if count else self.values(source)
        if values.dtype.kind in "iub":
            cumulative = self._cached(
                ("cumulative", source, count), lambda: np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
            )
            lo, hi = self.accounts.frame(months, skip)
            return cumulative[hi] - cumulative[lo]
        out = np.zeros(len(values), dtype=np.float64)
        for back in range(skip, skip + months):
            out += self.back(source, back)
        return out


def _stddev_pop(sources: _Sources, source: str, months: int) -> np.ndarray:
    """Population standard deviation over each row's trailing `months` (the current month is
    always in the frame). Deviations are taken from the current month's value, so a flat stretch
    gives exactly 0, as DuckDB's does."""
    values = sources.values(source).astype(np.float64)
    s1 = np.zeros(len(values), dtype=np.float64)
    s2 = np.zeros_like(s1)
    for back in range(1, months):
        deviation = np.where(sources.accounts.has_back(back), sources.back(source, back) - values, 0.0)
        s1 += deviation
        s2 += deviation * deviation
    n = sources.frame_sum(source, months, count=True)
    return np.sqrt(np.maximum(s2 / n - (s1 / n) ** 2, 0.0))


def compute(
    columns: dict[str, np.ndarray],
    valid: dict[str, np.ndarray],
    accounts: Accounts,
    windows: tuple[Window, ...] = WINDOWS,
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Each window as (values, validity or None when never null), in `windows` order.

    `columns` holds each source (any value where null), `valid` the validity of the sources that
    have nulls; a null adds nothing and is not counted, as in SQL.
    """
    sources = _Sources(columns, valid, accounts)
    out: list[tuple[np.ndarray, np.ndarray | None]] = []
    for w in windows:
        if w.kind == "sum":
            out.append((sources.frame_sum(w.source, w.months, w.skip), None))
        elif w.kind == "avg":
            total = sources.frame_sum(w.source, w.months, w.skip).astype(np.float64)
            n = sources.frame_sum(w.source, w.months, w.skip, count=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = total / n
            out.append((mean, None if n.min(initial=1) > 0 else n > 0))
        elif w.kind == "lag":
            is_valid = accounts.has_back(w.months)
            if w.source in valid:
                is_valid = is_valid & accounts.back(valid[w.source], w.months, False)
            out.append((sources.back(w.source, w.months), is_valid))
        elif w.kind == "max":  # the current month is in every frame: never empty
            values = sources.values(w.source).astype(np.float64)
            if w.source in valid:
                values = np.where(valid[w.source], values, -np.inf)
            peak = values.copy()
            for back in range(1, w.months):
                np.maximum(peak, accounts.back(values, back, -np.inf), out=peak)
            out.append((peak, None))
        elif w.kind == "stddev_pop":
            if w.source in valid:
                raise ValueError(f"stddev_pop of {w.source}, which has nulls, is not supported")
            out.append((_stddev_pop(sources, w.source, w.months), None))
        elif w.kind == "count_to_date":
            out.append((accounts.position + 1, None))
        elif w.kind == "sum_to_date":
            out.append((sources.frame_sum(w.source, len(accounts.index)), None))
        else:
            raise ValueError(f"unknown window kind {w.kind!r}")
    return out


def output_schema(source: pa.Schema, windows: tuple[Window, ...] = WINDOWS) -> pa.Schema:
    """The source rows' columns (without their order columns) followed by every window's column."""
    fields = [f for f in source if f.name not in ORDER_COLUMNS]
    for w in windows:
        source_type = source.field(w.source).type
        if w.kind == "lag":
            kind = source_type
        elif w.kind == "count_to_date" or (w.kind in ("sum", "sum_to_date") and not pa.types.is_floating(source_type)):
            kind = pa.int64()
        else:
            kind = pa.float64()
        fields.append(pa.field(w.name, kind))
    return pa.schema(fields)


def with_windows(rows: pa.Table, schema: pa.Schema, windows: tuple[Window, ...] = WINDOWS) -> pa.Table:
    """Rows of whole accounts, sorted by account and month (with their order columns), followed by
    their windows, as `schema`."""
    accounts = Accounts(_numpy(rows["account_number"]), _numpy(rows["month_number"]))
    columns, valid = {}, {}
    for source in {w.source for w in windows}:
        columns[source] = _numpy(rows[source])
        if rows[source].null_count:
            valid[source] = _numpy(rows[source].is_valid())
    arrays = [rows[f.name] for f in schema if f.name in rows.column_names]
    for w, (values, validity) in zip(windows, compute(columns, valid, accounts, windows), strict=True):
        mask = None if validity is None else ~validity
        arrays.append(pa.array(values, type=schema.field(w.name).type, mask=mask))
    return pa.Table.from_arrays(arrays, schema=schema)


def _whole_accounts(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
    """Batches of rows sorted by account, regrouped so that no account spans two of them."""
    carry: pa.Table | None = None
    for batch in batches:
        rows = pa.Table.from_batches([batch])
        if carry is not None:
            rows = pa.concat_tables([carry, rows])
        account_number = _numpy(rows["account_number"])
        if np.any(account_number[1:] < account_number[:-1]):
            raise ValueError("rows must arrive sorted by account_number")
        split = int(np.searchsorted(account_number, account_number[-1]))  # the last account may go on
        if split:
            yield rows.slice(0, split)
        carry = rows.slice(split)
    if carry is not None and carry.num_rows:
        yield carry


def create_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    select_sql: str,
    *,
    windows: tuple[Window, ...] = WINDOWS,
    batch_rows: int = 500_000,
) -> None:
    """Create (or replace) table `name`: the rows of `select_sql`, one per account and month of
    the gap-free spine `int_account_months`, each followed by its `windows`."""
    reader_con = con.cursor()  # a second connection: `con` is busy storing while this one reads
    try:
        reader_con.execute(f"create or replace temp view {ROWS_VIEW} as {select_sql}")
        reader = reader_con.sql(SORTED_SQL.read_text(encoding="utf-8")).to_arrow_reader(batch_rows)
        schema = output_schema(reader.schema, windows)
        batches = (
            batch
            for rows in _whole_accounts(reader)
            for batch in with_windows(rows, schema, windows).to_batches(max_chunksize=OUTPUT_BATCH_ROWS)
        )
        con.execute(f"drop table if exists {name}")
        con.from_arrow(pa.RecordBatchReader.from_batches(schema, batches)).create(name)
    finally:
        reader_con.close()


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    """A column as one numpy array (nulls as 0: their validity is read separately)."""
    array = column.combine_chunks()
    if array.null_count:
        array = array.fill_null(0)
    return array.to_numpy(zero_copy_only=False)
