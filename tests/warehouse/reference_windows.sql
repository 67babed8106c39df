-- The trailing windows of `mart_account_features` as DuckDB window functions: how the mart
-- computed them before they moved to numpy (analytics/warehouse/rolling.py), kept as the reference that
-- tests/test_rolling.py compares the numpy windows with. Reads the activity's own columns only.
with activity as (
    select * from int_account_month_activity
),

final as (
    select
        account_id,
        billing_month,
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
)

select * from final
