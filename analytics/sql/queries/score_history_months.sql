-- The (model, score month) pairs the score history holds already: a month is written once.
with history as (
    select * from score_history
),

final as (
    select distinct
        model,
        score_month,
    from history
)

select * from final
