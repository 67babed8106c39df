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
    expected_value_yuan double
);
