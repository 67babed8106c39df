-- What an account's peers (same industry and size band) buy: each product's adoption rate and a
-- holder's typical monthly spend, beside this account's own spend and, for a product it lacks,
-- the whitespace's expected annual value. Benchmarks exist for the last 3 months: the latest
-- on or before $month is used (the earliest when $month is older).
with accounts as (
    select * from stg_accounts
    where account_id = $account_id
),

benchmarks as (
    select * from mart_peer_benchmarks
),

whitespace as (
    select * from mart_account_whitespace
    where account_id = $account_id
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
        benchmarks.peer_account_count,
        benchmarks.adoption_rate,
        benchmarks.typical_monthly_revenue_yuan,
        coalesce(own.is_held, false) as is_held,
        own.revenue_yuan as account_revenue_yuan,
        whitespace.expected_annual_value_yuan,
    from benchmarks
    inner join benchmark_month on benchmark_month.billing_month = benchmarks.billing_month
    inner join accounts
        on accounts.industry = benchmarks.industry
        and accounts.size_band = benchmarks.size_band
    left join own on own.product_id = benchmarks.product_id
    left join whitespace
        on whitespace.product_id = benchmarks.product_id
        and whitespace.billing_month = benchmarks.billing_month
    order by benchmarks.adoption_rate desc, benchmarks.product_id
)

select * from final
