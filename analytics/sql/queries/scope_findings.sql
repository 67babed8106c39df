-- For one account ($account_id): each item of its business scope shared by at least
-- $min_accounts accounts billed in the last month, and per product the share of those accounts
-- that used it that month (peer_share) beside the share of all billed accounts (base_share) —
-- read from mart_scope_item_products, which the build computes once for every item.
with own as (
    select phrase from int_account_scope_items where account_id = $account_id
),

shares as (
    select * from mart_scope_item_products where accounts >= $min_accounts
),

held as (
    select distinct billing.product_id
    from stg_billing_monthly as billing
    where billing.account_id = $account_id
      and billing.billing_month = (select max(billing_month) from mart_scope_item_products)
      and billing.revenue_yuan > 0
)

select
    shares.phrase,
    products.area,
    shares.product_id,
    products.product_name,
    shares.peer_share,
    shares.base_share,
    shares.accounts,
    shares.product_id in (select product_id from held) as held,
from shares
inner join own using (phrase)
inner join stg_products as products using (product_id)
order by shares.phrase, shares.product_id
