-- materialized: view
-- A report is known from the moment it is filed, so it is dated by `reported_at`.
select
    report_id,
    manager_id,
    account_id,
    competitor::varchar as competitor,
    kind::varchar as kind,
    observed_at,
    reported_at,
    date_trunc('month', reported_at)::date as reported_month,
    description,
from competitor_reports
