-- materialized: query
-- grain: account_id, billing_month
-- Whitespace as of the end of each month from $from_month to $to_month: for each area, the
-- share of the account's industry peers holding the most common product of that area the
-- account lacks, and how many such products peers hold at ≥ 10%. (Industry rather than
-- industry × size band: the larger groups give steadier rates.)
with spine as (
    select * from int_account_months
    where billing_month between $from_month and $to_month
        -- an optional sample of accounts (all of them when $sample_keep = $sample_total)
        and hash(account_id) % $sample_total < $sample_keep
),

accounts as (
    select * from stg_accounts
),

billing as (
    select * from stg_billing_monthly
    where billing_month between $from_month and $to_month
        and quantity > 0
),

products as (
    select * from stg_products
),

members as (
    select
        spine.account_id,
        spine.billing_month,
        accounts.industry,
    from spine
    inner join accounts on accounts.account_id = spine.account_id
),

group_sizes as (
    select
        industry,
        billing_month,
        count(*) as peer_count,
    from members
    group by all
),

product_rates as (
    select
        members.industry,
        members.billing_month,
        billing.product_id,
        count(*) / any_value(group_sizes.peer_count) as peer_rate,
    from billing
    inner join members using (account_id, billing_month)
    inner join group_sizes using (industry, billing_month)
    group by all
),

lacking as (
    select
        members.account_id,
        members.billing_month,
        products.area,
        coalesce(product_rates.peer_rate, 0) as peer_rate,
    from members
    cross join products
    left join product_rates
        on product_rates.industry = members.industry
        and product_rates.billing_month = members.billing_month
        and product_rates.product_id = products.product_id
    anti join billing
        on billing.account_id = members.account_id
        and billing.billing_month = members.billing_month
        and billing.product_id = products.product_id
),

final as (
    select
        account_id,
        billing_month,
        coalesce(max(peer_rate) filter (where area = 'basic_comm'), 0) as whitespace_basic_comm,
        coalesce(max(peer_rate) filter (where area = 'mobile_office'), 0) as whitespace_mobile_office,
        coalesce(max(peer_rate) filter (where area = 'production_control'), 0) as whitespace_production_control,
        coalesce(max(peer_rate) filter (where area = 'service_marketing'), 0) as whitespace_service_marketing,
        count(*) filter (where area = 'basic_comm' and peer_rate >= 0.1) as whitespace_count_basic_comm,
        count(*) filter (where area = 'mobile_office' and peer_rate >= 0.1) as whitespace_count_mobile_office,
        count(*) filter (where area = 'production_control' and peer_rate >= 0.1) as whitespace_count_production_control,
        count(*) filter (where area = 'service_marketing' and peer_rate >= 0.1) as whitespace_count_service_marketing,
    from lacking
    group by account_id, billing_month
)

select * from final
