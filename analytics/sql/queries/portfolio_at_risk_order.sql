-- Every scoped account at risk in the selected month (macro `is_at_risk`, as the headline counts)
-- with what the two orderings of the at-risk list need: revenue at risk (churn risk × revenue, the
-- fallback) and the account id; the expected revenue saved comes from `retention_uplift`.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

final as (
    select
        scores.account_id,
        scores.churn_probability,
        scores.revenue_at_risk_yuan,
    from scores
    where scores.as_of_month = $month::date
        and is_at_risk(scores.churn_probability, $at_risk_probability)
        and scores.account_id in (select account_id from accounts)
)

select * from final
order by revenue_at_risk_yuan desc nulls last, account_id
