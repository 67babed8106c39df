create table products (
    product_id varchar primary key,
    product_name varchar not null,
    area area not null,
    billing_unit billing_unit not null,
    list_price_yuan decimal(12, 4) not null check (list_price_yuan >= 0)
);
