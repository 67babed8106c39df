-- What an account's peers buy: each product's adoption rate and a holder's typical monthly spend
-- (and a year of it), beside this account's own spend and, for a product recommended to it in
-- $month, the recommendation's expected value (the same figure as its area's card). The peers
-- are the account's industry × size band, or the wider group mart_peer_benchmarks fell back to
-- (peer_level, peer_account_count). Benchmarks exist for the last 3 months: the latest on or
-- before $month is used (the earliest when $month is older).
with accounts as (
    select * from stg_accounts
    where account_id = $account_id
),

benchmarks as (
    select * from mart_peer_benchmarks
),

recommendations as (
    select * from score_recommendations
    where account_id = $account_id
        and as_of_month = $month
),

billing as (
    select * from stg_billing_monthly
    where account_id = $account_id
),

benchmark_month as (
    select
        coalesce(max(billing_month) filter (where billing_month <= $month), min(billing_month)) as billing_month,
    from benchmarks
),

own as (
    select
        billing.product_id,
        sum(billing.revenue_yuan) as revenue_yuan,
        sum(billing.quantity) > 0 as is_held,
    from billing
    inner join benchmark_month on benchmark_month.billing_month = billing.billing_month
    group by billing.product_id
),

final as (
    select
        benchmarks.billing_month,
        benchmarks.product_id,
        benchmarks.product_name,
        benchmarks.area,
        benchmarks.peer_level,
        benchmarks.peer_account_count,
        benchmarks.holder_count,
        benchmarks.adoption_rate,
        benchmarks.typical_monthly_revenue_yuan,
        benchmarks.typical_monthly_revenue_yuan * 12 as typical_annual_revenue_yuan,
        coalesce(own.is_held, false) as is_held,
        own.revenue_yuan as account_revenue_yuan,
        recommendations.product_id is not null as is_recommended,
        recommendations.expected_value_yuan as recommended_value_yuan,
    from benchmarks
    inner join benchmark_month on benchmark_month.billing_month = benchmarks.billing_month
    inner join accounts
        on accounts.industry = benchmarks.industry
        and accounts.size_band = benchmarks.size_band
    left join own on own.product_id = benchmarks.product_id
    left join recommendations on recommendations.product_id = benchmarks.product_id
    order by benchmarks.adoption_rate desc, benchmarks.product_id
)

select * from final
