-- The selected month's figures of the scoped accounts by account manager (as by district), the
-- $limit managers with the most revenue at risk, and how many managers there are in all.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

billing as (
    select * from stg_billing_monthly
),

managers as (
    select * from stg_managers
),

month_scores as (
    select *
    from scores
    where as_of_month = $month::date
),

month_revenue as (
    select
        account_id,
        sum(revenue_yuan) as revenue_yuan,
    from billing
    where billing_month = $month::date
    group by account_id
),

account_month as (
    select
        accounts.manager_id,
        month_scores.account_id as scored_account_id,
        month_scores.churn_probability,
        month_scores.revenue_at_risk_yuan,
        month_scores.opportunity_value_yuan,
        month_revenue.revenue_yuan,
    from accounts
    left join month_scores on month_scores.account_id = accounts.account_id
    left join month_revenue on month_revenue.account_id = accounts.account_id
    where month_scores.account_id is not null or month_revenue.account_id is not null
),

by_manager as (
    select
        manager_id,
        count(scored_account_id) as account_count,
        coalesce(sum(revenue_yuan), 0) as revenue_yuan,
        coalesce(sum(revenue_at_risk_yuan), 0) as revenue_at_risk_yuan,
        count(*) filter (where churn_probability >= $at_risk_probability) as at_risk_account_count,
        coalesce(sum(opportunity_value_yuan), 0) as opportunity_value_yuan,
    from account_month
    group by manager_id
),

final as (
    select
        by_manager.manager_id,
        managers.manager_name,
        managers.district,
        by_manager.account_count,
        by_manager.revenue_yuan,
        by_manager.revenue_at_risk_yuan,
        by_manager.at_risk_account_count,
        by_manager.opportunity_value_yuan,
        count(*) over () as manager_count,
    from by_manager
    left join managers on managers.manager_id = by_manager.manager_id
    order by by_manager.revenue_at_risk_yuan desc, by_manager.manager_id
    limit $limit
)

select * from final
order by revenue_at_risk_yuan desc, manager_id
