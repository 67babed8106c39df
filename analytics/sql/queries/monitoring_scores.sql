-- The score history (analytics/models/history.py) the model quality page judges against what
-- happened: every kept score, by model and score month.
with history as (
    select * from score_history
),

final as (
    select
        model,
        score_month,
        account_id,
        probability,
        source,
        trained_through_month,
    from history
)

select * from final
order by model, score_month, account_id
