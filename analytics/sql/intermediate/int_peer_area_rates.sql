-- materialized: table
-- grain: industry, size_band, billing_month
-- For each industry × size band and month: the share of its accounts holding each area.
with activity as (
    select * from int_account_month_activity
),

accounts as (
    select * from stg_accounts
),

final as (
    select
        accounts.industry,
        accounts.size_band,
        activity.billing_month,
        avg((activity.product_count_basic_comm > 0)::int) as peer_rate_basic_comm,
        avg((activity.product_count_mobile_office > 0)::int) as peer_rate_mobile_office,
        avg((activity.product_count_production_control > 0)::int) as peer_rate_production_control,
        avg((activity.product_count_service_marketing > 0)::int) as peer_rate_service_marketing,
    from activity
    inner join accounts on accounts.account_id = activity.account_id
    group by accounts.industry, accounts.size_band, activity.billing_month
)

select * from final
