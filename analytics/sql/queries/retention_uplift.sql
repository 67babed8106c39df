-- The per-kind uplift estimates (`uplift_scores`, written by `needsmine train`) of the listed
-- accounts (`account_ids`, already scoped by the caller) made for the scoring month `score_month`:
-- what the at-risk lists rank by (expected revenue saved of the best kind).
with uplift as (
    select * from uplift_scores
),

final as (
    select
        account_id,
        action_kind,
        expected_effect,
        expected_revenue_saved,
    from uplift
    where score_month = $score_month::date
        and list_contains($account_ids::varchar[], account_id)
)

select * from final
order by account_id, action_kind
