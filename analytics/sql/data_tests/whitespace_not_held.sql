-- A whitespace product is never one the account billed in that month.
select whitespace.account_id, whitespace.product_id
from mart_account_whitespace as whitespace
inner join billing_monthly as billing
    on billing.account_id = whitespace.account_id
    and billing.billing_month = whitespace.billing_month
    and billing.product_id = whitespace.product_id
    and billing.quantity > 0
