-- The top reasons of an account's churn score in $month, strongest first.
with reasons as (
    select * from score_reasons
    where account_id = $account_id
        and as_of_month = $month
),

final as (
    select
        rank,
        feature,
        contribution,
        reason,
    from reasons
    order by rank
)

select * from final
