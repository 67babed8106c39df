-- The churn reasons of the listed accounts (`account_ids`, a few hundred at most) in the selected
-- month, the `max_rank` strongest first, as scoring stored them (Chinese) with the feature behind
-- each.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

reasons as (
    select * from score_reasons
),

listed as (
    select account_id
    from accounts
    where list_contains($account_ids::varchar[], account_id)
),

final as (
    select
        reasons.account_id,
        reasons.rank,
        reasons.feature,
        reasons.reason,
    from reasons
    inner join listed on listed.account_id = reasons.account_id
    where reasons.as_of_month = $month::date
        and reasons.rank <= $max_rank
)

select * from final
order by account_id, rank
