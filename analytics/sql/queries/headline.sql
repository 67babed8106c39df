-- Headline figures of the warehouse for the latest billing month and the one before it.
with billing as (
    select * from billing_monthly
),

accounts as (
    select * from accounts
),

months as (
    select
        max(billing_month) as latest_month,
        max(billing_month) - interval 1 month as previous_month,
    from billing
),

monthly as (
    select
        billing.billing_month,
        count(distinct billing.account_id) as billed_account_count,
        sum(billing.revenue_yuan) as revenue_yuan,
    from billing
    inner join months
        on billing.billing_month in (months.latest_month, months.previous_month)
    group by billing.billing_month
),

final as (
    select
        months.latest_month,
        latest.billed_account_count,
        latest.revenue_yuan,
        previous.revenue_yuan as previous_revenue_yuan,
        (select count(*) from accounts) as account_count,
        -- in service at the end of the latest month (macro `is_in_service`), as the portfolio counts
        (
            select count(*)
            from accounts
            where is_in_service(accounts.status, accounts.opened_on, accounts.closed_on, last_day(months.latest_month))
        ) as active_account_count,
        (select count(*) from accounts where is_key_account) as key_account_count,
        (select count(*) from managers) as manager_count,
        (select count(distinct district) from accounts) as district_count,
    from months
    left join monthly as latest on latest.billing_month = months.latest_month
    left join monthly as previous on previous.billing_month = months.previous_month
)

select * from final
