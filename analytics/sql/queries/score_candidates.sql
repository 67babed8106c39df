-- The products `needsmine score` may recommend in $month, per account in service: one row per
-- account and product the account lacks, with why it is a candidate (`basis`):
--   peers  — its peer group holds it (mart_account_whitespace: ≥ 3 holders, ≥ 5 % adoption);
--   need   — an interview of the last 6 months voiced a need of the product's area;
--   named  — an interview of the last 6 months named the product itself.
-- The strongest basis wins (named, then need, then peers). Peer adoption and a holder's typical
-- monthly spend come from the account's peer group (mart_peer_benchmarks); where the group has
-- no holder, the typical spend of every holder in the month stands in.
with latest as (
    select * from int_recent_accounts_in_service
    where billing_month = $month
),

benchmarks as (
    select * from mart_peer_benchmarks
    where billing_month = $month
),

whitespace as (
    select * from mart_account_whitespace
    where billing_month = $month
),

billing as (
    select * from stg_billing_monthly
    where billing_month = $month
        and quantity > 0
),

interactions as (
    select * from stg_interactions
    where occurred_month <= $month
        and occurred_month > $month - interval 6 month
),

needs as (
    select * from interaction_needs
),

overall as (
    select
        billing.product_id,
        median(billing.revenue_yuan) as typical_monthly_revenue_yuan,
    from billing
    inner join latest on latest.account_id = billing.account_id
    group by billing.product_id
),

heard as (
    select
        interactions.account_id,
        bool_or(coalesce(needs.has_need_basic_comm, interactions.has_need_basic_comm)) as basic_comm,
        bool_or(coalesce(needs.has_need_mobile_office, interactions.has_need_mobile_office)) as mobile_office,
        bool_or(coalesce(needs.has_need_production_control, interactions.has_need_production_control))
            as production_control,
        bool_or(coalesce(needs.has_need_service_marketing, interactions.has_need_service_marketing))
            as service_marketing,
        list_distinct(flatten(list(coalesce(needs.products_named, [])))) as products_named,
    from interactions
    left join needs on needs.interaction_id = interactions.interaction_id
    group by interactions.account_id
),

voiced as (
    select
        latest.account_id,
        benchmarks.product_id,
        benchmarks.product_name,
        benchmarks.area,
        benchmarks.adoption_rate as peer_adoption_rate,
        coalesce(benchmarks.typical_monthly_revenue_yuan, overall.typical_monthly_revenue_yuan)
            as typical_monthly_revenue_yuan,
        case when list_contains(heard.products_named, benchmarks.product_id) then 'named' else 'need' end as basis,
    from latest
    inner join heard on heard.account_id = latest.account_id
    inner join benchmarks
        on benchmarks.industry = latest.industry
        and benchmarks.size_band = latest.size_band
    inner join overall on overall.product_id = benchmarks.product_id
    anti join billing
        on billing.account_id = latest.account_id
        and billing.product_id = benchmarks.product_id
    where list_contains(heard.products_named, benchmarks.product_id)
        or (benchmarks.area = 'basic_comm' and heard.basic_comm)
        or (benchmarks.area = 'mobile_office' and heard.mobile_office)
        or (benchmarks.area = 'production_control' and heard.production_control)
        or (benchmarks.area = 'service_marketing' and heard.service_marketing)
),

peers as (
    select
        account_id,
        product_id,
        product_name,
        area,
        peer_adoption_rate,
        typical_monthly_revenue_yuan,
        'peers' as basis,
    from whitespace
),

final as (
    select * from (select * from voiced union all by name select * from peers)
    qualify row_number() over (
        partition by account_id, product_id
        order by case basis when 'named' then 0 when 'need' then 1 else 2 end
    ) = 1
    order by account_id, product_id
)

select * from final
