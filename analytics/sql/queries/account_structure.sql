-- An account's consumption structure in $month by product: revenue, quantity, share of the bill,
-- and the same product a month and a year before.
with billing as (
    select * from stg_billing_monthly
    where account_id = $account_id
        and billing_month in ($month, ($month - interval 1 month)::date, ($month - interval 12 month)::date)
),

products as (
    select * from stg_products
),

by_product as (
    select
        product_id,
        sum(revenue_yuan) filter (where billing_month = $month) as revenue_yuan,
        sum(quantity) filter (where billing_month = $month) as quantity,
        bool_or(is_group_paid) filter (where billing_month = $month) as is_group_paid,
        sum(revenue_yuan) filter (where billing_month = ($month - interval 1 month)::date) as previous_revenue_yuan,
        sum(revenue_yuan) filter (where billing_month = ($month - interval 12 month)::date) as year_ago_revenue_yuan,
    from billing
    group by product_id
),

final as (
    select
        by_product.product_id,
        products.product_name,
        products.area,
        coalesce(by_product.revenue_yuan, 0) as revenue_yuan,
        coalesce(by_product.quantity, 0) as quantity,
        coalesce(by_product.is_group_paid, false) as is_group_paid,
        coalesce(by_product.revenue_yuan, 0) / nullif(sum(by_product.revenue_yuan) over (), 0) as share_of_account,
        by_product.previous_revenue_yuan,
        coalesce(by_product.revenue_yuan, 0) / nullif(by_product.previous_revenue_yuan, 0) - 1 as revenue_change_mom,
        coalesce(by_product.revenue_yuan, 0) / nullif(by_product.year_ago_revenue_yuan, 0) - 1 as revenue_change_yoy,
    from by_product
    inner join products on products.product_id = by_product.product_id
    order by revenue_yuan desc, by_product.product_id
)

select * from final
