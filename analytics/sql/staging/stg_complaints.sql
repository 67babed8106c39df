-- materialized: view
select
    complaint_id,
    account_id,
    opened_at,
    date_trunc('month', opened_at)::date as opened_month,
    category::varchar as category,
    severity::varchar as severity,
    severity in ('严重', '重大') as is_severe,
    resolved_at,
from complaints
