-- Written by `needsmine score`: per account and area, the products to propose.
create table if not exists score_recommendations (
    account_id varchar not null,
    as_of_month date not null,
    area varchar not null,
    rank integer not null,
    product_id varchar not null,
    product_name varchar not null,
    probability double not null,
    annual_value_yuan double,
    expected_value_yuan double,
    basis varchar
);
-- Why the product is proposed (peers / need / named: see sql/queries/score_candidates.sql); added
-- after the table's first version, so warehouses scored before gain it here.
alter table score_recommendations add column if not exists basis varchar;
