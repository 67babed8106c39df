"""SQL layers: data and grain tests pass and catch what they should, features never read the future,
labels mean what SPEC §2 says."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import config
from analytics.common import rules
from analytics.models import features as feats
from analytics.models import labels
from analytics.warehouse import build, db, layers


@pytest.fixture(scope="module")
def built_path(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("built") / "built.duckdb"
    shutil.copy(demo_path, path)
    with db.connect(path) as con:
        report = build.build(con)
    assert report.ok, report.failures
    return path


@pytest.fixture()
def built(built_path):
    con = db.connect(built_path, read_only=True)
    yield con
    con.close()


def test_a_built_warehouse_is_known_as_built(built, demo_con):
    assert build.is_built(built) and not build.is_built(demo_con)


def test_data_tests_pass_and_catch_a_broken_reconciliation(built_path, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built_path, broken)
    with db.connect(broken) as con:
        assert build.run_data_tests(con) == dict.fromkeys(build.run_data_tests(con), 0)
        # The feature mart is a view: break the activity it shows. One account's areas no longer
        # add up in any of its months…
        con.execute(
            "update int_account_month_activity set revenue_basic_comm_yuan = revenue_basic_comm_yuan + 1 "
            "where account_id = (select min(account_id) from mart_account_features)"
        )
        months = con.execute(
            "select count(*) from mart_account_features "
            "where account_id = (select min(account_id) from mart_account_features)"
        ).fetchall()[0][0]
        assert build.run_data_tests(con)["area_revenue_reconciles"] == months
        # …and another's revenue moves between two months (its areas in step, its total unchanged).
        account, first, second = con.execute(
            "select account_id, min(billing_month), max(billing_month) from mart_account_features "
            "where revenue_yuan > 10 group by account_id order by account_id desc limit 1"
        ).fetchall()[0]
        for month, shift in ((first, 5.0), (second, -5.0)):
            con.execute(
                "update int_account_month_activity set revenue_yuan = revenue_yuan + $shift, "
                "revenue_basic_comm_yuan = revenue_basic_comm_yuan + $shift "
                "where account_id = $account and billing_month = $month",
                {"shift": shift, "account": account, "month": month},
            )
        assert build.run_data_tests(con)["area_revenue_reconciles"] == months + 2
        con.execute("insert into billing_monthly select * from billing_monthly limit 1")
        failures = build.run_data_tests(con)
        message = build.describe_failures(con, failures)["unique_raw_billing"]
        assert message.startswith(
            "unique_raw_billing: 1 rows break data_tests/unique_raw_billing.sql; e.g. account_id="
        )
        # The consumption view, whose grain this test checks in its place, now repeats a key.
        consumption = layers.load_models()["mart_consumption_monthly"]
        assert consumption.grain_tested_by == "unique_raw_billing"
        assert con.execute(f"select count(*) from ({build.grain_sql(consumption)})").fetchone()[0] >= 1
    assert failures["unique_raw_billing"] == 1


def test_every_intermediate_step_and_mart_passes_its_grain_test(built):
    results = build.run_data_tests(built)
    grained = [m for m in layers.load_models().values() if m.layer in ("intermediate", "marts")]
    assert len(grained) >= 10
    assert {f"grain_{m.name}" if not m.grain_tested_by else m.grain_tested_by for m in grained} <= set(results)
    assert results == dict.fromkeys(results, 0)
    # The hand-written key test the generated one replaces is gone, the raw tables' are kept.
    assert "unique_account_features" not in results and "unique_raw_billing" in results


def test_a_duplicated_row_fails_the_grain_test_naming_model_and_key(built_path, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built_path, broken)
    with db.connect(broken) as con:
        row = con.execute(
            "select industry, size_band, billing_month, product_id from mart_peer_benchmarks "
            "order by all limit 1 offset 7"
        ).fetchone()
        con.execute(
            "insert into mart_peer_benchmarks select * from mart_peer_benchmarks "
            "where (industry, size_band, billing_month, product_id) = (?, ?, ?, ?)",
            list(row),
        )
        # A row repeated in the activity repeats in the feature mart, a view over it.
        con.execute(
            "insert into int_account_month_activity select * from int_account_month_activity "
            "order by account_id, billing_month limit 1"
        )
        failures = build.run_data_tests(con)
        assert {name for name, failing in failures.items() if failing} == {
            "grain_mart_peer_benchmarks",
            "grain_int_account_month_activity",
            "grain_mart_account_features",
        }
        assert failures["grain_mart_peer_benchmarks"] == 1
        messages = build.describe_failures(con, failures)
    assert set(messages) == {name for name, failing in failures.items() if failing}
    message = messages["grain_mart_peer_benchmarks"]
    assert message.startswith(
        "mart_peer_benchmarks: its grain (industry, size_band, billing_month, product_id) is broken by 1 "
    )
    assert f"product_id={row[3]!r}" in message and f"industry={row[0]!r}" in message and "has 2 rows" in message


def test_a_null_key_fails_the_grain_test_unless_the_key_may_be_null(built_path, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built_path, broken)
    with db.connect(broken) as con:
        con.execute("update mart_account_whitespace set product_id = null where rowid = 0")
        # At the area grain the summary has no product: its product_id is null by declaration.
        assert con.execute(
            "select count(*) from mart_revenue_monthly_summary where grain = 'area' and product_id is null"
        ).fetchone()[0]
        failures = build.run_data_tests(con)
        message = build.describe_failures(con, failures)["grain_mart_account_whitespace"]
    assert {name for name, failing in failures.items() if failing} == {"grain_mart_account_whitespace"}
    assert "product_id=None has 1 rows" in message


def test_features_and_labels_keep_their_declared_grain(built_path, tmp_path):
    """The parameterised reads are not built, so not tested by the build: run them here over the
    whole demo with the parameters analytics/models gives them."""
    path = tmp_path / "notes.duckdb"
    shutil.copy(built_path, path)
    queries = [m for m in layers.load_models().values() if not m.in_build]
    assert {m.name for m in queries} == {
        "note_needs_monthly",
        "whitespace_monthly",
        "scope_accounts",
        "churn_labels",
        "adoption_labels",
        "retention_treatments",
        "win_features",
    }
    with db.connect(path) as con:
        _stand_in_note_reading(con)
        first, last = feats.month_bounds(con)
        params = {
            "features": {
                "from_month": first,
                "to_month": last,
                "sample_total": 1,
                "sample_keep": 1,
                "label_end": last,
                **{"as_of_at": pd.Timestamp("2200-01-01"), "won": rules.DEFAULT_PIPELINE.won},
            },
            "labels": {"window_months": 3, "remaining_share": 0.3, "sample_total": 1, "sample_keep": 1},
        }
        for model in queries:
            used = {name: value for name, value in params[model.layer].items() if f"${name}" in model.sql}
            rows = con.execute(f"select count(*) from ({model.sql})", used).fetchone()[0]
            # scopes: one per account; treatments: one per account and month with an action
            least = {"scope_accounts": 500, "retention_treatments": 100, "win_features": 100}
            assert rows > least.get(model.name, 1000), model.name
            sql = build.grain_sql(model, f"({model.sql})")
            assert con.execute(f"select count(*) from ({sql})", used).fetchone()[0] == 0, model.name
            # The same check over every row twice finds every key repeated.
            doubled = build.grain_sql(model, f"(select * from ({model.sql}) union all select * from ({model.sql}))")
            assert con.execute(f"select count(*) from ({doubled})", used).fetchone()[0] == rows, model.name


def test_no_feature_reads_a_month_after_its_as_of_date(built_path, tmp_path):
    """Cut the warehouse after the as-of month and build again: that month's features are equal."""
    as_of = pd.Timestamp("2025-06-01")
    cut = tmp_path / "cut.duckdb"
    shutil.copy(built_path, cut)
    after = (as_of + pd.DateOffset(months=1)).date()
    with db.connect(cut) as con:
        for table, column in (
            ("billing_monthly", "billing_month"),
            ("members_monthly", "billing_month"),
            ("interactions", "occurred_at"),
            ("competitor_reports", "reported_at"),
            ("complaints", "opened_at"),
            ("profile_updates", "updated_at"),
        ):
            con.execute(f"delete from {table} where {column} >= ?", [after])
        con.execute("update accounts set closed_on = null, status = '在网' where closed_on >= ?", [after])
        build.build(con, test=False)
        _stand_in_note_reading(con)
        cut_rows = con.execute(
            "select * from mart_account_features where billing_month = ? order by account_id", [as_of.date()]
        ).df()
        cut_frame = feats.load_frame(con, as_of.date(), as_of.date()).sort_values("account_id", ignore_index=True)
    full = tmp_path / "full.duckdb"
    shutil.copy(built_path, full)
    with db.connect(full) as con:
        _stand_in_note_reading(con)
        full_rows = con.execute(
            "select * from mart_account_features where billing_month = ? order by account_id", [as_of.date()]
        ).df()
        full_frame = feats.load_frame(con, as_of.date(), as_of.date()).sort_values("account_id", ignore_index=True)
    assert len(full_rows) > 500
    pd.testing.assert_frame_equal(cut_rows.reset_index(drop=True), full_rows.reset_index(drop=True))
    # Everything the models read, the notes' and whitespace features included.
    assert {"whitespace_production_control", "note_need_basic_comm_6m"} <= set(full_frame.columns)
    pd.testing.assert_frame_equal(cut_frame, full_frame)


def _stand_in_note_reading(con) -> None:
    """`interaction_needs` as the notes model would write it, from the managers' own tags."""
    areas = ("basic_comm", "mobile_office", "production_control", "service_marketing")
    columns = ", ".join(
        f"list_contains(needs_found, '{a}')::double as need_{a}, list_contains(needs_found, '{a}') as has_need_{a}"
        for a in areas
    )
    con.execute(
        f"create or replace table interaction_needs as select interaction_id, account_id, "
        f"date_trunc('month', occurred_at)::date as occurred_month, {columns}, "
        f"notes like '%电信%' as mentions_competitor from interactions"
    )


def test_features_follow_the_bills(built):
    row = (
        built.execute(
            "select * from mart_account_features where revenue_avg_prior_3m_yuan > 0 "
            "order by account_id, billing_month limit 1 offset 100"
        )
        .df()
        .iloc[0]
    )
    bills = (
        built.execute(
            "select billing_month, sum(revenue_yuan)::double as revenue from billing_monthly "
            "where account_id = ? group by 1 order by 1",
            [row.account_id],
        )
        .df()
        .set_index("billing_month")
        .revenue
    )
    upto = bills[bills.index <= row.billing_month]
    assert row.revenue_yuan == pytest.approx(upto.iloc[-1])
    assert row.revenue_avg_3m_yuan == pytest.approx(upto.iloc[-3:].mean())
    assert row.revenue_trend_3m == pytest.approx(upto.iloc[-3:].mean() / upto.iloc[-6:-3].mean() - 1)


def test_churn_label_catches_the_generators_churns(built):
    churn = labels.churn_labels(built)
    complete = churn[churn.is_complete]
    assert complete.as_of_month.max() == pd.Timestamp("2026-07-01")  # 3-month window ends at 2026-10
    truth = built.execute(
        """
        select t.account_id, t.billing_month as as_of_month
        from truth_churn t
        where exists (select 1 from truth_churn n where n.account_id = t.account_id and n.is_churn_start
                      and n.billing_month > t.billing_month and n.billing_month <= t.billing_month + interval 3 month)
        """
    ).df()
    merged = truth.merge(complete, on=["account_id", "as_of_month"])
    assert len(merged) > 100
    assert merged.is_churn.mean() > 0.95
    assert 0.02 < complete.is_churn.mean() < 0.2


def test_adoption_label_agrees_with_the_truth(built):
    adoption = labels.adoption_labels(built)
    complete = adoption[adoption.is_complete]
    truth = built.execute(
        """
        select t.account_id, t.billing_month as as_of_month, t.area::varchar as area,
               exists (select 1 from truth_adoption n where n.account_id = t.account_id and n.area = t.area
                       and n.is_adopted and n.billing_month > t.billing_month
                       and n.billing_month <= t.billing_month + interval 6 month) as truly_adopted
        from truth_adoption t
        """
    ).df()
    merged = complete.merge(truth, on=["account_id", "as_of_month", "area"])
    agreement = (merged.is_adopted == merged.truly_adopted).mean()
    assert agreement > 0.97
    assert merged.loc[merged.truly_adopted, "is_adopted"].mean() > 0.95


def test_whitespace_is_what_peers_buy_and_the_account_lacks(built):
    rows = built.execute("select * from mart_account_whitespace").df()
    assert len(rows) > 0
    assert (rows.peer_adoption_rate >= 0.05).all()
    expected = rows.peer_adoption_rate * rows.typical_monthly_revenue_yuan * 12
    assert (rows.expected_annual_value_yuan - expected).abs().max() < 1e-6


def test_billing_key_check_finds_exactly_the_repeated_keys():
    """The screen by product bits misses no repeat and reports no false one: past 64 products two
    share a bit, and a product missing from the catalogue has none."""
    con = duckdb.connect()
    con.execute("create table products as select printf('p%02d', i) as product_id from range(70) t(i)")
    con.execute("create table billing_monthly (account_id varchar, billing_month date, product_id varchar)")
    rows = [("a", f"p{i:02d}") for i in range(70)]  # all 70 once: p00 and p64 share a bit
    rows += [("b", "p03"), ("b", "p03"), ("b", "p04"), ("c", "zz"), ("c", "zz"), ("d", "zz"), ("d", "p01")]
    con.executemany("insert into billing_monthly values (?, date '2025-01-01', ?)", rows)
    sql = (config.SQL_DIR / "data_tests" / "unique_raw_billing.sql").read_text(encoding="utf-8")
    found = con.execute(f"select account_id, product_id, row_count from ({sql}) order by 1").fetchall()
    assert found == [("b", "p03", 2), ("c", "zz", 2)]
