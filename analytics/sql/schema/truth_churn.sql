-- Demo only: the generator's own churn mechanism. One row per account and month from its opening
-- until the month its churn starts. Given everything up to the end of the month, `hazard` is the
-- probability that churn starts in the next month and `window_probability` that it starts within
-- the churn window (SPEC §2, default 3 months) as if the month's state persisted;
-- `is_churn_start` marks the month it did start (revenue collapses from that month's bill on),
-- `is_abrupt` a start without erosion in the months before.
create table truth_churn (
    account_id varchar not null,
    billing_month date not null,
    hazard real not null check (hazard between 0 and 1),
    window_probability real not null check (window_probability between 0 and 1),
    is_churn_start boolean not null,
    is_abrupt boolean not null
);
