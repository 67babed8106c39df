-- Features of every account as of the end of every month: only rows of that month and earlier
-- enter a row's windows (frames end at `current row`), and peers are compared within the month
-- (`int_peer_area_rates`).
with activity as (
    select * from int_account_month_activity
),

peers as (
    select * from int_peer_area_rates
),

accounts as (
    select * from stg_accounts
),

contacts as (
    select * from stg_contacts
),

decision_makers as (
    select
        account_id,
        bool_or(carrier <> '中国移动') as has_decision_maker_on_competitor,
    from contacts
    where role = '决策人'
    group by account_id
),

windowed as (
    select
        activity.*,
        avg(revenue_yuan) over last_3 as revenue_avg_3m_yuan,
        avg(revenue_yuan) over last_6 as revenue_avg_6m_yuan,
        avg(revenue_yuan) over last_12 as revenue_avg_12m_yuan,
        sum(revenue_yuan) over last_12 as revenue_12m_yuan,
        avg(revenue_yuan) over prior_3 as revenue_avg_prior_3m_yuan,
        lag(revenue_yuan, 1) over by_month as revenue_previous_month_yuan,
        lag(revenue_yuan, 12) over by_month as revenue_year_ago_yuan,
        max(revenue_yuan) over last_12 as revenue_peak_12m_yuan,
        stddev_pop(revenue_yuan) over last_6 as revenue_stddev_6m_yuan,
        lag(product_count, 3) over by_month as product_count_3m_ago,
        lag(member_count, 3) over by_month as member_count_3m_ago,
        lag(member_count, 6) over by_month as member_count_6m_ago,
        avg(member_count) over last_3 as member_avg_3m,
        sum(left_group_count) over last_3 as left_group_3m,
        sum(left_network_count) over last_3 as left_network_3m,
        sum(left_group_count) over last_6 as left_group_6m,
        avg(member_count) over last_6 as member_avg_6m,
        sum(complaint_count) over last_6 as complaints_6m,
        sum(joined_count) over last_3 as joined_3m,
        sum(complaint_count) over last_3 as complaints_3m,
        sum(complaint_count) over last_12 as complaints_12m,
        sum(severe_complaint_count) over last_6 as severe_complaints_6m,
        sum(urgent_report_count) over last_2 as urgent_reports_2m,
        sum(urgent_report_count) over last_6 as urgent_reports_6m,
        sum(other_report_count) over last_3 as other_reports_3m,
        sum(interaction_count) over last_3 as interactions_3m,
        sum(interaction_count) over last_12 as interactions_12m,
        sum(visit_count) over last_12 as visits_12m,
        sum(need_basic_comm_count) over last_6 as need_basic_comm_6m,
        sum(need_mobile_office_count) over last_6 as need_mobile_office_6m,
        sum(need_production_control_count) over last_6 as need_production_control_6m,
        sum(need_service_marketing_count) over last_6 as need_service_marketing_6m,
        sum(need_basic_comm_count) over last_3 as need_basic_comm_3m,
        sum(need_mobile_office_count) over last_3 as need_mobile_office_3m,
        sum(need_production_control_count) over last_3 as need_production_control_3m,
        sum(need_service_marketing_count) over last_3 as need_service_marketing_3m,
        count(*) over by_month_all as months_of_history,
        sum(interaction_count) over by_month_all as interactions_to_date,
        sum(need_basic_comm_count) over by_month_all as need_basic_comm_to_date,
        sum(need_mobile_office_count) over by_month_all as need_mobile_office_to_date,
        sum(need_production_control_count) over by_month_all as need_production_control_to_date,
        sum(need_service_marketing_count) over by_month_all as need_service_marketing_to_date,
    from activity
    window
        by_month as (partition by account_id order by billing_month),
        by_month_all as (partition by account_id order by billing_month rows between unbounded preceding and current row),
        last_2 as (partition by account_id order by billing_month rows between 1 preceding and current row),
        last_3 as (partition by account_id order by billing_month rows between 2 preceding and current row),
        last_6 as (partition by account_id order by billing_month rows between 5 preceding and current row),
        last_12 as (partition by account_id order by billing_month rows between 11 preceding and current row),
        prior_3 as (partition by account_id order by billing_month rows between 5 preceding and 3 preceding)
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
