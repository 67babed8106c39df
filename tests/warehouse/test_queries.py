"""Named queries come back as DataFrames through Arrow (`queries.to_pandas`): the same values
and, for the types the pages use, the same dtypes as DuckDB's own `.df()`."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics.warehouse import queries

ROWS = """
    select * from (values
        (1::integer, 10::bigint, true, 5::hugeint, 1.25::decimal(10, 2), date '2026-01-31',
         timestamp '2026-01-31 08:30:00', '客户甲', [1, 2], 7::integer, false, 'x'),
        (null, 20::bigint, null, null, null, null, null, null, null, 8::integer, true, 'y')
    ) as t (i32, i64, flag, big_sum, amount, day, seen_at, name, ids, whole, whole_flag, code)
"""


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


@pytest.mark.parametrize("where", ["", "where whole = 7", "where whole = 0"], ids=["nulls", "no-nulls", "empty"])
def test_arrow_conversion_gives_what_df_gives(where):
    con = duckdb.connect()
    query = f"select * from ({ROWS}) {where}"
    with con.cursor() as cur:
        ours = queries.to_pandas(cur.sql(query).to_arrow_table())
    theirs = con.execute(query).df()
    assert list(ours.columns) == list(theirs.columns)
    pd.testing.assert_frame_equal(normalised(ours), normalised(theirs))
    same_dtype = ["i32", "i64", "flag", "big_sum", "amount", "day", "seen_at", "whole", "whole_flag", "name", "code"]
    if where != "where whole = 0":  # `.df()` of no rows types text as object; we keep str
        assert ours[same_dtype].dtypes.to_dict() == theirs[same_dtype].dtypes.to_dict()
    # Sums and amounts are floats that arithmetic accepts, not Decimal objects.
    assert ours["big_sum"].dtype == "float64" and ours["amount"].dtype == "float64"


def test_run_binds_only_the_parameters_a_query_names_and_ignores_a_pending_result(tmp_path, monkeypatch):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table accounts as select 'A1' as account_id, 3 as n union all select 'A2', 4")
    (tmp_path / "one.sql").write_text(
        "-- $unused in a comment is no parameter\nselect n from accounts where account_id = $account_id",
        encoding="utf-8",
    )
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    queries.sql.cache_clear()  # cached by name: read ours, and forget it afterwards
    queries.parameters.cache_clear()
    try:
        con.execute("select * from accounts").fetchone()  # a result left half read
        out = queries.run(con, "one", {"account_id": "A2", "month": "ignored"})
        assert out["n"].tolist() == [4]
        with pytest.raises(KeyError, match="account_id"):
            queries.run(con, "one", {})
    finally:
        queries.sql.cache_clear()
        queries.parameters.cache_clear()
