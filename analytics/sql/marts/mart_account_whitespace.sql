-- Products an account's peers commonly buy and the account lacks (each of the last 3 months),
-- each with its expected annual value: peer adoption rate × a holder's typical monthly spend × 12.
with latest as (
    select * from int_recent_accounts_in_service
),

billing as (
    select * from stg_billing_monthly
),

benchmarks as (
    select * from mart_peer_benchmarks
),

held as (
    select
        billing.account_id,
        billing.billing_month,
        billing.product_id,
    from billing
    inner join latest
        on latest.account_id = billing.account_id
        and latest.billing_month = billing.billing_month
    where billing.quantity > 0
),

final as (
    select
        latest.account_id,
        latest.billing_month,
        benchmarks.product_id,
        benchmarks.product_name,
        benchmarks.area,
        benchmarks.adoption_rate as peer_adoption_rate,
        benchmarks.typical_monthly_revenue_yuan,
        benchmarks.adoption_rate * benchmarks.typical_monthly_revenue_yuan * 12 as expected_annual_value_yuan,
    from latest
    inner join benchmarks
        on benchmarks.industry = latest.industry
        and benchmarks.size_band = latest.size_band
        and benchmarks.billing_month = latest.billing_month
    where benchmarks.holder_count >= 3
        and benchmarks.adoption_rate >= 0.05
        and not exists (
            select 1 from held
            where held.account_id = latest.account_id
                and held.billing_month = latest.billing_month
                and held.product_id = benchmarks.product_id
        )
)

select * from final
