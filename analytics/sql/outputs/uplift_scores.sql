-- Written by `needsmine train` (analytics/models/uplift): per account in service at the last
-- month and retention action kind, the expected effect of taking that kind now — the fall of the
-- probability that churn starts within the churn window (positive: fewer churns) — and the
-- expected revenue saved (the effect × the account's revenue of the last 12 months).
create or replace table uplift_scores (
    account_id varchar not null,
    score_month date not null,
    action_kind varchar not null,
    expected_effect double not null,
    expected_revenue_saved double not null
);
