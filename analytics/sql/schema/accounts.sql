-- manager_id resolves to managers.manager_id; foreign keys are checked by the importer and the
-- data tests rather than declared, because DuckDB forbids updating a referenced parent row
-- (an import that refreshes managers would fail).
create table accounts (
    account_id varchar primary key,
    account_name varchar not null,
    industry industry not null,
    district varchar not null,
    value_class value_class not null,
    is_key_account boolean not null,
    manager_id varchar not null,
    employee_count integer not null check (employee_count >= 0),
    ownership ownership not null,
    opened_on date not null,
    agreement_expires_on date,
    agreement_months integer check (agreement_months > 0),
    status account_status not null,
    closed_on date,
    business_scope varchar,  -- optional: the registered business scope (经营范围), items joined by '；'
    check (closed_on is null or closed_on >= opened_on)
);
