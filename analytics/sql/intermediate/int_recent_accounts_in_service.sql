-- materialized: table
-- grain: account_id, billing_month
-- Accounts billing in each of the last 3 months, with their peer group (industry × size band):
-- the population of the peer benchmarks and the whitespace.
with activity as (
    select * from int_account_month_activity
),

accounts as (
    select * from stg_accounts
),

final as (
    select
        activity.account_id,
        accounts.industry,
        accounts.size_band,
        activity.billing_month,
    from activity
    inner join accounts on accounts.account_id = activity.account_id
    where activity.billing_month > (select max(billing_month) from activity) - interval 3 month
        and activity.revenue_yuan > 0
)

select * from final
