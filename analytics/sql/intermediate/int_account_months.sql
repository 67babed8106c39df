-- materialized: table
-- grain: account_id, billing_month
-- The spine: one row per account and month from its first bill to the month it closed (or the
-- last month of data), with no gaps, so that window frames of n rows are n months.
with billing as (
    select * from stg_billing_monthly
),

accounts as (
    select * from stg_accounts
),

data_months as (
    select
        min(billing_month) as first_month,
        max(billing_month) as last_month,
    from billing
),

account_span as (
    select
        account_id,
        min(billing_month) as first_billed_month,
    from billing
    group by account_id
),

bounds as (
    select
        accounts.account_id,
        account_span.first_billed_month as start_month,
        least(
            data_months.last_month,
            coalesce(date_trunc('month', accounts.closed_on)::date, data_months.last_month)
        ) as end_month,
    from accounts
    inner join account_span on account_span.account_id = accounts.account_id
    cross join data_months
),

final as (
    select
        bounds.account_id,
        month_start::date as billing_month,
    from bounds,
        unnest(generate_series(bounds.start_month, bounds.end_month, interval 1 month)) as months(month_start)
)

select * from final
