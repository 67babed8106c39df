"""The numpy windows (analytics/warehouse/rolling.py) equal the SQL window functions they replace."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.warehouse import build, db, rolling

REFERENCE_SQL = (Path(__file__).parent / "reference_windows.sql").read_text(encoding="utf-8")
COUNT_COLUMNS = (
    "product_count",
    "left_group_count",
    "left_network_count",
    "joined_count",
    "complaint_count",
    "severe_complaint_count",
    "urgent_report_count",
    "other_report_count",
    "interaction_count",
    "visit_count",
    *(f"need_{area}_count" for area in config.AREAS),
)


def _mismatches(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per window: rows of `int_account_month_activity` whose value differs from the SQL window's
    (null on one side only, or more than 1e-9 apart relative to the value)."""
    checks = ",\n".join(
        f"count(*) filter (where (ours.{w.name} is null) <> (sql.{w.name} is null)"
        f" or abs(ours.{w.name}::double - sql.{w.name}::double) > 1e-9 * greatest(1, abs(sql.{w.name}::double)))"
        for w in rolling.WINDOWS
    )
    counts = con.execute(
        f"with sql as ({REFERENCE_SQL}) select count(*), count(sql.account_id), {checks} "
        "from int_account_month_activity as ours left join sql using (account_id, billing_month)"
    ).fetchall()[0]
    rows, matched, *per_window = counts
    assert rows == matched > 0
    return {w.name: n for w, n in zip(rolling.WINDOWS, per_window, strict=True) if n}


def _inline_rows(seed: int = 3) -> pd.DataFrame:
    """Five accounts over 16 months: starting late, lasting one month, with runs of missing member
    counts (an average over none of them is null), flat and zero revenue (deviation exactly 0)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2024-01-01", periods=16, freq="MS")
    spans = {"a": (0, 16), "b": (4, 16), "c": (7, 8), "d": (2, 11), "e": (0, 5)}
    frames = []
    for account, (start, end) in spans.items():
        n = end - start
        frame = pd.DataFrame({"account_id": account, "billing_month": months[start:end].date})
        frame["revenue_yuan"] = rng.choice([0.0, 0.1, 99.7, 1234.56], size=n)
        for column in COUNT_COLUMNS:
            frame[column] = rng.integers(0, 4, size=n).astype("int64")
        members = pd.array(rng.integers(1, 50, size=n), dtype="Int32")
        members[rng.random(n) < 0.3] = pd.NA
        frame["member_count"] = members
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows.loc[rows.account_id == "d", "member_count"] = pd.NA
    rows.loc[(rows.account_id == "d") & (rows.billing_month >= months[8].date()), "member_count"] = 7
    rows.loc[rows.account_id == "e", "revenue_yuan"] = 0.1
    rows.loc[rows.account_id == "a", "revenue_yuan"] = rows.loc[rows.account_id == "a", "revenue_yuan"].where(
        rows.billing_month < months[6].date(), 42.0
    )
    for column in ("left_group_count", "left_network_count", "joined_count"):
        rows[column] = rows[column].astype("int32")
    return rows.sample(frac=1.0, random_state=seed)  # arrival order must not matter


def _warehouse_of(rows: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding `rows` as `source_rows`, with the accounts and spine that
    `rolling.create_table` reads (and one account without rows)."""
    con = duckdb.connect()
    con.from_df(rows).create("source_rows")
    con.execute(
        "create table stg_accounts as select 'x' as account_id union all select distinct account_id from source_rows"
    )
    con.execute("create table int_account_months as select account_id, billing_month from source_rows")
    return con


@pytest.mark.parametrize("batch_rows", [3, 1_000])
def test_windows_equal_sql_on_small_rows(batch_rows):
    rows = _inline_rows()
    con = _warehouse_of(rows)
    # Small batches split accounts between them: the carried rows must still see their history.
    rolling.create_table(con, "int_account_month_activity", "select * from source_rows", batch_rows=batch_rows)
    columns = [r[0] for r in con.execute("describe int_account_month_activity").fetchall()]
    assert columns == list(rows.columns) + [w.name for w in rolling.WINDOWS]
    reference_columns = [r[0] for r in con.execute(f"describe ({REFERENCE_SQL})").fetchall()]
    assert reference_columns == ["account_id", "billing_month"] + [w.name for w in rolling.WINDOWS]
    assert _mismatches(con) == {}
    # The edge cases the rows were made for do occur.
    nulls, flat = con.execute(
        "select count(*) filter (where member_avg_6m is null), count(*) filter (where revenue_stddev_6m_yuan = 0) "
        "from int_account_month_activity"
    ).fetchall()[0]
    assert nulls > 0 and flat > 0


def test_a_wrong_window_is_caught():
    """The comparison itself fails when a window is off by one month."""
    con = _warehouse_of(_inline_rows())
    wrong = tuple(
        rolling.Window(w.name, w.kind, w.source, w.months + 1) if w.name == "complaints_3m" else w
        for w in rolling.WINDOWS
    )
    rolling.create_table(con, "int_account_month_activity", "select * from source_rows", windows=wrong)
    assert set(_mismatches(con)) == {"complaints_3m"}


@pytest.fixture(scope="module")
def built_demo(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rolling") / "built.duckdb"
    shutil.copy(demo_path, path)
    with db.connect(path) as con:
        build.build(con, test=False)
    return path


def test_demo_windows_equal_sql(built_demo):
    with db.connect(built_demo, read_only=True) as con:
        assert _mismatches(con) == {}
        # The mart shows them unchanged, after the activity's own columns.
        mart = [r[0] for r in con.execute("describe mart_account_features").fetchall()]
        activity = [r[0] for r in con.execute("describe int_account_month_activity").fetchall()]
        assert mart[: len(activity)] == activity
