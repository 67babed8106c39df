-- materialized: windowed_table
-- grain: account_id, billing_month
-- reads: build_rules
-- Everything that happened to an account in a month, one row per spine row. `needsmine build`
-- stores these rows followed by their trailing windows (sums, averages, lags over the months
-- before), computed in numpy: see analytics/warehouse/rolling.py.
with spine as (
    select * from int_account_months
),

billing as (
    select * from stg_billing_monthly
),

products as (
    select * from stg_products
),

members as (
    select * from stg_members_monthly
),

complaints as (
    select * from stg_complaints
),

reports as (
    select * from stg_competitor_reports
),

rules as (
    select * from build_rules
),

interactions as (
    select * from stg_interactions
),

bills as (
    select
        billing.account_id,
        billing.billing_month,
        sum(billing.revenue_yuan) as revenue_yuan,
        sum(billing.revenue_yuan) filter (where products.area = 'basic_comm') as revenue_basic_comm_yuan,
        sum(billing.revenue_yuan) filter (where products.area = 'mobile_office') as revenue_mobile_office_yuan,
        sum(billing.revenue_yuan) filter (where products.area = 'production_control') as revenue_production_control_yuan,
        sum(billing.revenue_yuan) filter (where products.area = 'service_marketing') as revenue_service_marketing_yuan,
        sum(billing.revenue_yuan) filter (where billing.is_group_paid) as group_paid_revenue_yuan,
        count(*) filter (where billing.quantity > 0) as product_count,
        count(*) filter (where products.area = 'basic_comm' and billing.quantity > 0) as product_count_basic_comm,
        count(*) filter (where products.area = 'mobile_office' and billing.quantity > 0) as product_count_mobile_office,
        count(*) filter (where products.area = 'production_control' and billing.quantity > 0) as product_count_production_control,
        count(*) filter (where products.area = 'service_marketing' and billing.quantity > 0) as product_count_service_marketing,
    from billing
    inner join products on products.product_id = billing.product_id
    group by billing.account_id, billing.billing_month
),

complaint_counts as (
    select
        account_id,
        opened_month as billing_month,
        count(*) as complaint_count,
        count(*) filter (where is_severe) as severe_complaint_count,
    from complaints
    group by account_id, opened_month
),

-- Urgent: the kind the guideline's rules name (reports.urgent_kind, as of the build).
report_counts as (
    select
        reports.account_id,
        reports.reported_month as billing_month,
        count(*) filter (where reports.kind = rules.urgent_kind) as urgent_report_count,
        count(*) filter (where reports.kind <> rules.urgent_kind) as other_report_count,
    from reports
    cross join rules
    where reports.account_id is not null
    group by reports.account_id, reports.reported_month
),

interaction_counts as (
    select
        account_id,
        occurred_month as billing_month,
        count(*) as interaction_count,
        count(*) filter (where channel = '上门') as visit_count,
        count(*) filter (where has_need_basic_comm) as need_basic_comm_count,
        count(*) filter (where has_need_mobile_office) as need_mobile_office_count,
        count(*) filter (where has_need_production_control) as need_production_control_count,
        count(*) filter (where has_need_service_marketing) as need_service_marketing_count,
    from interactions
    group by account_id, occurred_month
),

final as (
    select
        spine.account_id,
        spine.billing_month,
        coalesce(bills.revenue_yuan, 0) as revenue_yuan,
        coalesce(bills.revenue_basic_comm_yuan, 0) as revenue_basic_comm_yuan,
        coalesce(bills.revenue_mobile_office_yuan, 0) as revenue_mobile_office_yuan,
        coalesce(bills.revenue_production_control_yuan, 0) as revenue_production_control_yuan,
        coalesce(bills.revenue_service_marketing_yuan, 0) as revenue_service_marketing_yuan,
        coalesce(bills.group_paid_revenue_yuan, 0) as group_paid_revenue_yuan,
        coalesce(bills.product_count, 0) as product_count,
        coalesce(bills.product_count_basic_comm, 0) as product_count_basic_comm,
        coalesce(bills.product_count_mobile_office, 0) as product_count_mobile_office,
        coalesce(bills.product_count_production_control, 0) as product_count_production_control,
        coalesce(bills.product_count_service_marketing, 0) as product_count_service_marketing,
        members.member_count,
        coalesce(members.joined_count, 0) as joined_count,
        coalesce(members.left_group_count, 0) as left_group_count,
        coalesce(members.left_network_count, 0) as left_network_count,
        coalesce(complaint_counts.complaint_count, 0) as complaint_count,
        coalesce(complaint_counts.severe_complaint_count, 0) as severe_complaint_count,
        coalesce(report_counts.urgent_report_count, 0) as urgent_report_count,
        coalesce(report_counts.other_report_count, 0) as other_report_count,
        coalesce(interaction_counts.interaction_count, 0) as interaction_count,
        coalesce(interaction_counts.visit_count, 0) as visit_count,
        coalesce(interaction_counts.need_basic_comm_count, 0) as need_basic_comm_count,
        coalesce(interaction_counts.need_mobile_office_count, 0) as need_mobile_office_count,
        coalesce(interaction_counts.need_production_control_count, 0) as need_production_control_count,
        coalesce(interaction_counts.need_service_marketing_count, 0) as need_service_marketing_count,
    from spine
    left join bills using (account_id, billing_month)
    left join members using (account_id, billing_month)
    left join complaint_counts using (account_id, billing_month)
    left join report_counts using (account_id, billing_month)
    left join interaction_counts using (account_id, billing_month)
)

select * from final
