-- materialized: table
-- grain: industry, size_band, billing_month, product_id
-- For the accounts of each industry × size band, in each of the last 3 months: what their peers
-- hold and what a holder typically pays for each product. The peers are the industry × size band
-- itself when it has at least 20 accounts in service that month; else the wider group that has:
-- the whole industry (any size), then the size band (any industry), then every account in
-- service. `peer_level` says which (industry_size / industry / size / all) and
-- `peer_account_count` how many accounts it holds, so the page can say "同行业（不分规模）N家".
with latest as (
    select * from int_recent_accounts_in_service
),

billing as (
    select * from stg_billing_monthly
),

products as (
    select * from stg_products
),

-- The four levels at once: grouping sets give each level's counts and medians in one pass.
-- grouping(industry, size_band) is 0 for industry × size band, 1 for industry, 2 for size band,
-- 3 for all.
group_counts as (
    select
        industry,
        size_band,
        billing_month,
        grouping(industry, size_band) as level_code,
        count(*) as peer_account_count,
    from latest
    group by grouping sets ((industry, size_band, billing_month), (industry, billing_month), (size_band, billing_month), (billing_month))
),

holder_stats as (
    select
        latest.industry,
        latest.size_band,
        latest.billing_month,
        billing.product_id,
        grouping(latest.industry, latest.size_band) as level_code,
        count(*) as holder_count,
        median(billing.revenue_yuan) as typical_monthly_revenue_yuan,
        quantile_cont(billing.revenue_yuan, 0.75) as upper_monthly_revenue_yuan,
    from latest
    inner join billing
        on billing.account_id = latest.account_id
        and billing.billing_month = latest.billing_month
        and billing.quantity > 0
    group by grouping sets (
        (latest.industry, latest.size_band, latest.billing_month, billing.product_id),
        (latest.industry, latest.billing_month, billing.product_id),
        (latest.size_band, latest.billing_month, billing.product_id),
        (latest.billing_month, billing.product_id)
    )
),

cells as (
    select * from group_counts
    where level_code = 0
),

-- Each cell's peer group: the narrowest level with at least 20 accounts (all accounts otherwise).
chosen as (
    select
        cells.industry,
        cells.size_band,
        cells.billing_month,
        case
            when cells.peer_account_count >= 20 then 0
            when by_industry.peer_account_count >= 20 then 1
            when by_band.peer_account_count >= 20 then 2
            else 3
        end as level_code,
    from cells
    inner join group_counts as by_industry
        on by_industry.level_code = 1
        and by_industry.industry = cells.industry
        and by_industry.billing_month = cells.billing_month
    inner join group_counts as by_band
        on by_band.level_code = 2
        and by_band.size_band = cells.size_band
        and by_band.billing_month = cells.billing_month
),

peer_groups as (
    select
        chosen.industry,
        chosen.size_band,
        chosen.billing_month,
        chosen.level_code,
        ['industry_size', 'industry', 'size', 'all'][chosen.level_code + 1] as peer_level,
        -- the group's own keys (null where the level does not split by them)
        case when chosen.level_code in (0, 1) then chosen.industry end as group_industry,
        case when chosen.level_code in (0, 2) then chosen.size_band end as group_size_band,
    from chosen
),

groups as (
    select
        peer_groups.*,
        group_counts.peer_account_count,
    from peer_groups
    inner join group_counts
        on group_counts.level_code = peer_groups.level_code
        and group_counts.billing_month = peer_groups.billing_month
        and group_counts.industry is not distinct from peer_groups.group_industry
        and group_counts.size_band is not distinct from peer_groups.group_size_band
),

final as (
    select
        groups.industry,
        groups.size_band,
        groups.billing_month,
        products.product_id,
        products.product_name,
        products.area,
        groups.peer_level,
        groups.peer_account_count,
        coalesce(holder_stats.holder_count, 0) as holder_count,
        coalesce(holder_stats.holder_count, 0) / groups.peer_account_count as adoption_rate,
        holder_stats.typical_monthly_revenue_yuan,
        holder_stats.upper_monthly_revenue_yuan,
    from groups
    cross join products
    left join holder_stats
        on holder_stats.level_code = groups.level_code
        and holder_stats.billing_month = groups.billing_month
        and holder_stats.product_id = products.product_id
        and holder_stats.industry is not distinct from groups.group_industry
        and holder_stats.size_band is not distinct from groups.group_size_band
)

select * from final
