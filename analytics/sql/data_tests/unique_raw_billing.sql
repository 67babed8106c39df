-- The raw fact tables carry no declared key (see schema/billing_monthly.sql): check it here.
select account_id, billing_month, product_id, count(*) as row_count
from billing_monthly
group by account_id, billing_month, product_id
having count(*) > 1
