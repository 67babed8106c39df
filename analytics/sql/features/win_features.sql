-- materialized: query
-- grain: opportunity_id
-- reads: opportunities (written by the app)
-- The win model's features of each opportunity as of the moment it was opened (`opened_at`),
-- from what was known then only: the bills of the months ended before its month, interviews,
-- competitor reports and complaints before that moment, and the owner's and the account's
-- opportunities closed before it. Its label: won ($won) once closed. $as_of_at: only the
-- opportunities opened before it (a later state of the warehouse adds nothing to an earlier one).
with opportunities as (
    select
        opportunity_id,
        account_id,
        area::varchar as area,
        owner_id,
        source,
        stage,
        created_at as opened_at,
        closed_at,
        date_trunc('month', created_at)::date as opened_month,
        expected_monthly_yuan::double as expected_monthly_yuan,
        expected_one_off_yuan::double as expected_one_off_yuan,
    from main.opportunities
    where created_at < $as_of_at
),

accounts as (
    select * from stg_accounts
),

billing as (
    select
        billing.account_id,
        billing.billing_month,
        billing.product_id,
        billing.revenue_yuan::double as revenue_yuan,
        products.area::varchar as area,
    from stg_billing_monthly as billing
    inner join stg_products as products using (product_id)
    where billing.quantity > 0
),

interactions as (
    select * from main.interactions
),

reports as (
    select * from stg_competitor_reports
),

complaints as (
    select * from stg_complaints
),

bills as (
    select
        opportunities.opportunity_id,
        sum(billing.revenue_yuan) / 3 as revenue_3m_avg_yuan,
        count(distinct billing.product_id) filter (
            where billing.billing_month = opportunities.opened_month - interval 1 month
        ) as product_count,
        count(distinct billing.product_id) filter (
            where billing.billing_month = opportunities.opened_month - interval 1 month
                and billing.area = opportunities.area
        ) as area_products_held,
    from opportunities
    inner join billing
        on billing.account_id = opportunities.account_id
        and billing.billing_month < opportunities.opened_month
        and billing.billing_month >= opportunities.opened_month - interval 3 month
    group by all
),

visits as (
    select
        opportunities.opportunity_id,
        count(*) as interactions_3m,
        count(*) filter (where list_contains(interactions.needs_found::varchar[], opportunities.area)) as area_voiced_3m,
    from opportunities
    inner join interactions
        on interactions.account_id = opportunities.account_id
        and interactions.occurred_at < opportunities.opened_at
        and interactions.occurred_at >= opportunities.opened_at - interval 90 day
    group by all
),

rivals as (
    select
        opportunities.opportunity_id,
        count(*) as competitor_reports_6m,
    from opportunities
    inner join reports
        on reports.account_id = opportunities.account_id
        and reports.reported_at < opportunities.opened_at
        and reports.reported_at >= opportunities.opened_at - interval 180 day
    group by all
),

complained as (
    select
        opportunities.opportunity_id,
        count(*) as complaints_6m,
    from opportunities
    inner join complaints
        on complaints.account_id = opportunities.account_id
        and complaints.opened_at < opportunities.opened_at
        and complaints.opened_at >= opportunities.opened_at - interval 180 day
    group by all
),

owner_history as (
    select
        opportunities.opportunity_id,
        count(*) as owner_closed_count,
        avg((earlier.stage = $won)::int) as owner_win_rate,
    from opportunities
    inner join opportunities as earlier
        on earlier.owner_id = opportunities.owner_id
        and earlier.closed_at < opportunities.opened_at
    group by all
),

account_history as (
    select
        opportunities.opportunity_id,
        count(*) filter (where earlier.stage = $won) as account_won_before,
        count(*) filter (where earlier.stage <> $won) as account_lost_before,
    from opportunities
    inner join opportunities as earlier
        on earlier.account_id = opportunities.account_id
        and earlier.closed_at < opportunities.opened_at
    group by all
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.opened_at,
        opportunities.closed_at,
        opportunities.stage,
        opportunities.closed_at is not null as is_closed,
        opportunities.stage = $won as is_won,
        opportunities.area,
        opportunities.source,
        accounts.value_class,
        accounts.industry,
        opportunities.expected_monthly_yuan,
        opportunities.expected_one_off_yuan,
        coalesce(bills.revenue_3m_avg_yuan, 0) as revenue_3m_avg_yuan,
        coalesce(bills.product_count, 0) as product_count,
        coalesce(bills.area_products_held, 0) as area_products_held,
        coalesce(visits.interactions_3m, 0) as interactions_3m,
        coalesce(visits.area_voiced_3m, 0) as area_voiced_3m,
        coalesce(rivals.competitor_reports_6m, 0) as competitor_reports_6m,
        coalesce(complained.complaints_6m, 0) as complaints_6m,
        coalesce(owner_history.owner_closed_count, 0) as owner_closed_count,
        owner_history.owner_win_rate,
        coalesce(account_history.account_won_before, 0) as account_won_before,
        coalesce(account_history.account_lost_before, 0) as account_lost_before,
        accounts.is_key_account::int as is_key_account,
        accounts.employee_count,
        date_diff('month', accounts.opened_on, opportunities.opened_at) as tenure_months,
    from opportunities
    inner join accounts using (account_id)
    left join bills using (opportunity_id)
    left join visits using (opportunity_id)
    left join rivals using (opportunity_id)
    left join complained using (opportunity_id)
    left join owner_history using (opportunity_id)
    left join account_history using (opportunity_id)
)

select * from final
order by opened_at, opportunity_id
