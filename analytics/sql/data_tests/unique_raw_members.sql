select account_id, billing_month, count(*) as row_count
from members_monthly
group by account_id, billing_month
having count(*) > 1
