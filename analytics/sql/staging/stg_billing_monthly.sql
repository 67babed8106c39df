-- materialized: view
select
    account_id,
    billing_month,
    product_id,
    revenue_yuan::double as revenue_yuan,
    quantity,
    is_group_paid,
from billing_monthly
