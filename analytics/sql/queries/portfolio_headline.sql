-- Headline figures of the scoped accounts for the selected month and the month before it:
-- accounts in service (the scored ones), revenue billed, revenue at risk, opportunity value.
-- A month without scores leaves its scored figures null (no change can be shown against it).
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

months as (
    select
        $month::date as this_month,
        ($month::date - interval 1 month)::date as previous_month,
),

scored as (
    select
        scores.as_of_month,
        count(*) as account_count,
        count(*) filter (where scores.churn_probability >= $at_risk_probability) as at_risk_account_count,
        sum(scores.revenue_at_risk_yuan) as revenue_at_risk_yuan,
        sum(scores.opportunity_value_yuan) as opportunity_value_yuan,
    from scores
    inner join accounts on accounts.account_id = scores.account_id
    where scores.as_of_month = $month::date
        or scores.as_of_month = ($month::date - interval 1 month)::date
    group by scores.as_of_month
),

billed as (
    select
        billing.billing_month,
        sum(billing.revenue_yuan) as revenue_yuan,
    from billing
    inner join accounts on accounts.account_id = billing.account_id
    where billing.billing_month = $month::date
        or billing.billing_month = ($month::date - interval 1 month)::date
    group by billing.billing_month
),

final as (
    select
        months.this_month,
        this_scored.account_count,
        previous_scored.account_count as previous_account_count,
        this_scored.at_risk_account_count,
        previous_scored.at_risk_account_count as previous_at_risk_account_count,
        this_billed.revenue_yuan,
        previous_billed.revenue_yuan as previous_revenue_yuan,
        this_scored.revenue_at_risk_yuan,
        previous_scored.revenue_at_risk_yuan as previous_revenue_at_risk_yuan,
        this_scored.opportunity_value_yuan,
        previous_scored.opportunity_value_yuan as previous_opportunity_value_yuan,
    from months
    left join scored as this_scored on this_scored.as_of_month = months.this_month
    left join scored as previous_scored on previous_scored.as_of_month = months.previous_month
    left join billed as this_billed on this_billed.billing_month = months.this_month
    left join billed as previous_billed on previous_billed.billing_month = months.previous_month
)

select * from final
