-- materialized: table
-- grain: industry, size_band, billing_month, product_id
-- For accounts of the same industry and size band, in each of the last 3 months: how many hold
-- each product and what a holder typically pays for it.
with latest as (
    select * from int_recent_accounts_in_service
),

billing as (
    select * from stg_billing_monthly
),

products as (
    select * from stg_products
),

groups as (
    select
        industry,
        size_band,
        billing_month,
        count(*) as peer_account_count,
    from latest
    group by industry, size_band, billing_month
),

holders as (
    select
        latest.industry,
        latest.size_band,
        latest.billing_month,
        billing.product_id,
        count(*) as holder_count,
        median(billing.revenue_yuan) as typical_monthly_revenue_yuan,
        quantile_cont(billing.revenue_yuan, 0.75) as upper_monthly_revenue_yuan,
    from latest
    inner join billing
        on billing.account_id = latest.account_id
        and billing.billing_month = latest.billing_month
        and billing.quantity > 0
    group by latest.industry, latest.size_band, latest.billing_month, billing.product_id
),

final as (
    select
        groups.industry,
        groups.size_band,
        groups.billing_month,
        products.product_id,
        products.product_name,
        products.area,
        groups.peer_account_count,
        coalesce(holders.holder_count, 0) as holder_count,
        coalesce(holders.holder_count, 0) / groups.peer_account_count as adoption_rate,
        holders.typical_monthly_revenue_yuan,
        holders.upper_monthly_revenue_yuan,
    from groups
    cross join products
    left join holders
        on holders.industry = groups.industry
        and holders.size_band = groups.size_band
        and holders.billing_month = groups.billing_month
        and holders.product_id = products.product_id
)

select * from final
