-- Demo only: per account, month and area, given everything up to the end of that month, the
-- mechanism's probability that the account starts a new product of that area in the next month
-- (`monthly_probability`) and within the following 6 months (`window_probability`, as if the
-- month's state persisted); `is_adopted` marks a month in which it did start one.
create table truth_adoption (
    account_id varchar not null,
    billing_month date not null,
    area area not null,
    monthly_probability real not null check (monthly_probability between 0 and 1),
    window_probability real not null check (window_probability between 0 and 1),
    is_adopted boolean not null
);
