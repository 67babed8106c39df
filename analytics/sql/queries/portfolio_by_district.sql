-- The selected month's figures of the scoped accounts by district: accounts in service, revenue
-- billed, revenue at risk, accounts at risk (churn probability at least $at_risk_probability),
-- opportunity value. Sums over the districts equal the headline figures.
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
        accounts.district,
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

final as (
    select
        district,
        count(scored_account_id) as account_count,
        coalesce(sum(revenue_yuan), 0) as revenue_yuan,
        coalesce(sum(revenue_at_risk_yuan), 0) as revenue_at_risk_yuan,
        count(*) filter (where churn_probability >= $at_risk_probability) as at_risk_account_count,
        coalesce(sum(opportunity_value_yuan), 0) as opportunity_value_yuan,
    from account_month
    group by district
)

select * from final
order by revenue_at_risk_yuan desc, district
