"""The models' registry: headers, references read from the SQL, and the build order derived from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analytics import config
from analytics.warehouse import build, db, layers


@pytest.fixture()
def sql_dir(tmp_path: Path) -> Path:
    """A copy of the project's SQL that a test may add files to or break."""
    return Path(shutil.copytree(config.SQL_DIR, tmp_path / "sql"))


def _write(sql_dir: Path, relative: str, text: str) -> Path:
    path = sql_dir / relative
    path.write_text(text, encoding="utf-8")
    return path


def test_references_are_the_tables_after_from_and_join():
    sql = """
        -- a comment naming from commented_out
        with recent as (
            select * from stg_accounts, stg_products as p, stg_managers m, stg_contacts -- from also_commented
            where true
        ),
        final as (
            select extract(year from opened_on) as opened_year, 'from quoted' as text, trim(both ' ' from x),
                a is distinct from b,
            from recent
            inner join int_account_months as spine on spine.account_id = recent.account_id
            left join (select distinct area from mart_peer_benchmarks) as areas on true
            cross join unnest(generate_series(1, 3)) as months(month_start)
            /* join block_commented */
        )
        select * from final
    """
    assert layers.references(sql) == {
        "stg_accounts",
        "stg_products",
        "stg_managers",
        "stg_contacts",
        "int_account_months",
        "mart_peer_benchmarks",
    }


def test_the_order_follows_what_each_model_reads():
    models = layers.load_models()
    position = {name: i for i, name in enumerate(models)}
    for model in models.values():
        # (a parameterised read may read only tables the app writes: the retention actions)
        assert bool(model.depends_on) == (model.layer != "staging") or not model.in_build, model.name
        assert all(position[d] < position[model.name] for d in model.depends_on), model.name
    # Read from the SQL, not declared: the whitespace reads the benchmarks, the activity reads the
    # spine, and rolling.py's own select (sorted_account_months.sql) adds the accounts.
    assert "mart_peer_benchmarks" in models["mart_account_whitespace"].depends_on
    assert {"int_account_months", "stg_accounts"} <= models["int_account_month_activity"].depends_on
    assert "stg_accounts" not in layers.references(models["int_account_month_activity"].sql)
    assert not models["stg_accounts"].depends_on


def test_every_intermediate_step_and_mart_declares_a_grain_and_how_it_is_stored():
    models = layers.load_models().values()
    assert {model.layer for model in models} == set(layers.LAYERS)
    for model in models:
        if model.layer != "staging":
            assert model.grain, model.name
        assert model.materialized in layers.MATERIALIZATIONS[model.layer], model.name
    # What the build did before from hand-kept sets, now from the headers.
    by_name = {model.name: model for model in models}
    assert {name for name, m in by_name.items() if m.layer == "marts" and m.kind == "view"} == {
        "mart_account_features",
        "mart_consumption_monthly",
    }
    assert [name for name, m in by_name.items() if m.materialized == "windowed_table"] == ["int_account_month_activity"]


def test_a_new_model_goes_after_what_it_reads_whatever_its_layer(sql_dir):
    # An intermediate step that reads a mart: the layer does not decide, the reference does.
    _write(
        sql_dir,
        "intermediate/int_aaa_benchmarked.sql",
        "-- materialized: table\n-- grain: product_id\nselect distinct product_id from mart_peer_benchmarks\n",
    )
    order = list(layers.load_models(sql_dir))
    assert order.index("mart_peer_benchmarks") < order.index("int_aaa_benchmarked")
    assert order.index("int_recent_accounts_in_service") < order.index("mart_peer_benchmarks")


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        (
            "marts/mart_typo.sql",
            "-- materialized: table\n-- grain: account_id\nselect * from mart_acount_features\n",
            "mart_acount_features",
        ),
        ("marts/mart_no_grain.sql", "-- materialized: table\nselect * from stg_accounts\n", "grain"),
        ("marts/mart_bad_kind.sql", "-- materialized: tabel\n-- grain: a\nselect 1 as a\n", "materialized"),
        (
            "marts/mart_reads_a_query.sql",
            "-- materialized: view\n-- grain: account_id\nselect * from churn_labels\n",
            "churn_labels",
        ),
        ("marts/stg_accounts.sql", "-- materialized: view\n-- grain: a\nselect 1 as a\n", "stg_accounts"),
        (
            "marts/mart_tested_elsewhere.sql",
            "-- materialized: view\n-- grain: a\n-- grain_tested_by: unique_nothing\nselect 1 as a\n",
            "unique_nothing",
        ),
    ],
)
def test_a_model_that_cannot_be_built_is_refused_naming_its_file(sql_dir, relative, text, expected):
    path = _write(sql_dir, relative, text)
    with pytest.raises(layers.ModelError, match=expected) as refused:
        layers.load_models(sql_dir)
    assert str(path) in str(refused.value)


def test_a_cycle_is_refused_naming_its_files(sql_dir):
    first = _write(sql_dir, "marts/mart_first.sql", "-- materialized: view\n-- grain: a\nselect a from mart_second\n")
    second = _write(
        sql_dir,
        "marts/mart_second.sql",
        "-- materialized: view\n-- grain: a\nwith upstream as (select * from mart_first)\nselect a from upstream\n",
    )
    with pytest.raises(layers.ModelError, match="cycle") as refused:
        layers.load_models(sql_dir)
    assert str(first) in str(refused.value) and str(second) in str(refused.value)
    assert "mart_account_features" not in str(refused.value)  # only the models on the cycle


def test_a_model_reading_itself_is_a_cycle(sql_dir):
    path = _write(sql_dir, "marts/mart_itself.sql", "-- materialized: table\n-- grain: a\nselect a from mart_itself\n")
    with pytest.raises(layers.ModelError, match="cycle") as refused:
        layers.load_models(sql_dir)
    assert str(path) in str(refused.value)


def test_tables_written_by_python_are_declared_where_they_are_read(sql_dir):
    path = sql_dir / "features" / "note_needs_monthly.sql"
    path.write_text(path.read_text(encoding="utf-8").replace("-- reads: interaction_needs\n", ""), encoding="utf-8")
    with pytest.raises(layers.ModelError, match="interaction_needs"):
        layers.load_models(sql_dir)


def test_a_model_added_as_a_file_is_built_and_its_grain_tested(sql_dir, demo_path, tmp_path, monkeypatch):
    """No list to edit: a new file is built after the mart it reads, and its (wrong) grain fails."""
    _write(
        sql_dir,
        "intermediate/int_billed_products.sql",
        "-- materialized: table\n-- grain: account_id\n"
        "select account_id, product_id from mart_consumption_monthly where billing_month = "
        "(select max(billing_month) from mart_consumption_monthly)\n",
    )
    monkeypatch.setattr(config, "SQL_DIR", sql_dir)
    path = tmp_path / "w.duckdb"
    shutil.copy(demo_path, path)
    said = []
    with db.connect(path) as con:
        report = build.build(con, lambda message, fraction: said.append(message))
    steps = list(report.seconds)
    assert steps.index("mart_consumption_monthly") < steps.index("int_billed_products")
    assert report.rows["int_billed_products"] > 0
    assert not report.ok and report.failures["grain_int_billed_products"] > 0
    assert {name for name, failing in report.failures.items() if failing} == {"grain_int_billed_products"}
    message = report.messages["grain_int_billed_products"]
    assert message.startswith("int_billed_products:") and "(account_id)" in message
    assert any(message in line for line in said)  # the CLI's progress shows it
