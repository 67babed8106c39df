"""The warehouse schema: every table of SPEC §3, with its types, keys and constraints."""

from __future__ import annotations

import duckdb
import pytest

from analytics.warehouse import contract, db

SPEC_COLUMNS = {
    "accounts": {
        "account_id",
        "account_name",
        "industry",
        "district",
        "value_class",
        "is_key_account",
        "manager_id",
        "employee_count",
        "ownership",
        "opened_on",
        "agreement_expires_on",
        "status",
        "closed_on",
    },
    "managers": {"manager_id", "manager_name", "district", "team"},
    "contacts": {"account_id", "role", "department", "title", "carrier"},
    "products": {"product_id", "product_name", "area", "billing_unit", "list_price_yuan"},
    "billing_monthly": {"account_id", "billing_month", "product_id", "revenue_yuan", "quantity", "is_group_paid"},
    "members_monthly": {
        "account_id",
        "billing_month",
        "member_count",
        "joined_count",
        "left_group_count",
        "left_network_count",
    },
    "interactions": {"account_id", "manager_id", "occurred_at", "channel", "contact_role", "notes", "needs_found"},
    "competitor_reports": {
        "manager_id",
        "account_id",
        "competitor",
        "kind",
        "observed_at",
        "reported_at",
        "description",
    },
    "profile_updates": {"account_id", "kind", "updated_at", "updated_by"},
    "complaints": {"account_id", "opened_at", "category", "severity", "resolved_at"},
    "retention_actions": {"account_id", "owner_id", "action", "status", "outcome", "created_at"},
    "truth_churn": {"account_id", "billing_month", "hazard", "window_probability"},
    "truth_adoption": {"account_id", "billing_month", "area", "monthly_probability", "window_probability"},
}


def test_every_table_of_the_contract_exists_with_its_columns(empty_con):
    assert db.existing_tables(empty_con) == set(db.ALL_TABLES) | set(db.PIPELINE_TABLES)
    for table, required in SPEC_COLUMNS.items():
        columns = {name for name, _, _ in db.column_types(empty_con, table)}
        assert required <= columns, (table, required - columns)


def test_create_schema_is_idempotent(empty_con):
    db.create_schema(empty_con)
    assert db.existing_tables(empty_con) == set(db.ALL_TABLES) | set(db.PIPELINE_TABLES)


def test_every_contract_header_names_a_real_column(empty_con):
    for table, c in contract.CONTRACTS.items():
        columns = {name for name, _, _ in db.column_types(empty_con, table)}
        assert set(c.headers) <= columns, table
        assert set(c.key) <= columns and set(c.references) <= columns, table
        aliases = [a for names in c.headers.values() for a in names]
        assert len(aliases) == len(set(aliases)), f"{table}: a Chinese header maps to two columns"


def _insert_account(con, **overrides):
    row = {
        "account_id": "3100000001",
        "account_name": "测试公司",
        "industry": "制造业",
        "district": "浦东",
        "value_class": "A",
        "is_key_account": True,
        "manager_id": "M00001",
        "employee_count": 10,
        "ownership": "民营企业",
        "opened_on": "2020-01-01",
        "agreement_expires_on": None,
        "agreement_months": None,
        "status": "在网",
        "closed_on": None,
    } | overrides
    cols = ", ".join(row)
    marks = ", ".join(f"${k}" for k in row)
    con.execute(f"insert into accounts ({cols}) values ({marks})", row)


@pytest.mark.parametrize(
    "overrides",
    [
        {"value_class": "E"},  # not an enum value
        {"industry": "制造"},  # not a national-standard section
        {"employee_count": -1},
        {"closed_on": "2019-12-31"},  # closed before it opened
        {"account_name": None},
    ],
)
def test_accounts_refuse_impossible_rows(empty_con, overrides):
    with pytest.raises(duckdb.Error):
        _insert_account(empty_con, **overrides)


def test_account_key_is_unique(empty_con):
    _insert_account(empty_con)
    with pytest.raises(duckdb.ConstraintException):
        _insert_account(empty_con)


def test_billing_refuses_negative_revenue_and_mid_month_dates(empty_con):
    sql = "insert into billing_monthly values ('1', ?, 'BC01', ?, 1, true)"
    empty_con.execute(sql, ["2024-01-01", 10.5])
    with pytest.raises(duckdb.ConstraintException):
        empty_con.execute(sql, ["2024-01-01", -0.01])
    with pytest.raises(duckdb.ConstraintException):
        empty_con.execute(sql, ["2024-01-15", 1.0])


def test_enum_values_come_from_the_schema(empty_con):
    assert db.enum_values(empty_con, "area") == [
        "basic_comm",
        "mobile_office",
        "production_control",
        "service_marketing",
    ]
    assert db.enum_values(empty_con, "account_status") == ["潜在", "在网", "沉默", "离网", "销户"]
