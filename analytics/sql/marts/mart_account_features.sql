-- materialized: view
-- grain: account_id, billing_month
-- Features of every account as of the end of every month: only rows of that month and earlier
-- enter a row's trailing windows (computed with the activity, see analytics/warehouse/rolling.py), and
-- peers are compared within the month (`int_peer_area_rates`). A view: every column here is a
-- join to a small table or arithmetic within a row, cheaper to compute when read than to store
-- (at 300,000 accounts, storing the 112 columns × 8.9 M rows took 46 s of CPU, a quarter of the
-- whole build).
with windowed as (
    select * from int_account_month_activity
),

peers as (
    select * from int_peer_area_rates
),

accounts as (
    select * from stg_accounts
),

decision_makers as (
    select * from int_account_decision_makers
),

with_account as (
    select
        windowed.*,
        accounts.industry,
        accounts.district,
        accounts.value_class,
        accounts.is_key_account,
        accounts.manager_id,
        accounts.employee_count,
        accounts.size_band,
        accounts.ownership,
        date_diff('month', accounts.opened_on, windowed.billing_month) as tenure_months,
        accounts.agreement_months is not null as has_agreement,
        -- Agreements renew on the anniversaries of opening: months until the one in force ends.
        case
            when accounts.agreement_months is not null then
                accounts.agreement_months
                - date_diff('month', date_trunc('month', accounts.opened_on), windowed.billing_month)
                % accounts.agreement_months
        end as months_to_agreement_end,
        coalesce(decision_makers.has_decision_maker_on_competitor, false) as has_decision_maker_on_competitor,
    from windowed
    inner join accounts on accounts.account_id = windowed.account_id
    left join decision_makers on decision_makers.account_id = windowed.account_id
),

final as (
    select
        *,
        revenue_yuan / nullif(revenue_previous_month_yuan, 0) - 1 as revenue_change_1m,
        revenue_avg_3m_yuan / nullif(revenue_avg_prior_3m_yuan, 0) - 1 as revenue_trend_3m,
        revenue_yuan / nullif(revenue_year_ago_yuan, 0) - 1 as revenue_change_yoy,
        revenue_yuan / nullif(revenue_peak_12m_yuan, 0) - 1 as revenue_from_peak_12m,
        revenue_stddev_6m_yuan / nullif(revenue_avg_6m_yuan, 0) as revenue_volatility_6m,
        revenue_basic_comm_yuan / nullif(revenue_yuan, 0) as share_basic_comm,
        revenue_mobile_office_yuan / nullif(revenue_yuan, 0) as share_mobile_office,
        revenue_production_control_yuan / nullif(revenue_yuan, 0) as share_production_control,
        revenue_service_marketing_yuan / nullif(revenue_yuan, 0) as share_service_marketing,
        group_paid_revenue_yuan / nullif(revenue_yuan, 0) as group_paid_share,
        product_count - product_count_3m_ago as product_count_change_3m,
        (product_count_basic_comm > 0)::int + (product_count_mobile_office > 0)::int
        + (product_count_production_control > 0)::int + (product_count_service_marketing > 0)::int as area_count,
        member_count::double / nullif(member_count_3m_ago, 0) - 1 as member_change_3m,
        member_count::double / nullif(member_count_6m_ago, 0) - 1 as member_change_6m,
        left_group_3m / nullif(member_avg_3m, 0) as member_left_group_rate_3m,
        left_network_3m / nullif(member_avg_3m, 0) as member_left_network_rate_3m,
        left_group_6m / nullif(member_avg_6m, 0) as member_left_group_rate_6m,
        joined_3m / nullif(member_avg_3m, 0) as member_joined_rate_3m,
        revenue_yuan / nullif(member_count, 0) as member_arpu_yuan,
        -- How often the account's interviews voiced each area so far: a steady need shows in many.
        need_basic_comm_to_date / nullif(interactions_to_date, 0) as need_basic_comm_share,
        need_mobile_office_to_date / nullif(interactions_to_date, 0) as need_mobile_office_share,
        need_production_control_to_date / nullif(interactions_to_date, 0) as need_production_control_share,
        need_service_marketing_to_date / nullif(interactions_to_date, 0) as need_service_marketing_share,
        peers.peer_rate_basic_comm,
        peers.peer_rate_mobile_office,
        peers.peer_rate_production_control,
        peers.peer_rate_service_marketing,
    from with_account
    inner join peers using (industry, size_band, billing_month)
)

select * from final
