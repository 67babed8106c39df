-- materialized: view
select
    account_id,
    billing_month,
    member_count,
    joined_count,
    left_group_count,
    left_network_count,
from members_monthly
