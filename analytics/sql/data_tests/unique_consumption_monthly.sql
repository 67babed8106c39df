select account_id, billing_month, product_id, count(*) as row_count
from mart_consumption_monthly
group by account_id, billing_month, product_id
having count(*) > 1 or account_id is null or billing_month is null or product_id is null
