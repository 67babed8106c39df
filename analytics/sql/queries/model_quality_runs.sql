-- Every training run of the probability models recorded in the warehouse, newest first.
with runs as (
    select * from model_runs
),

final as (
    select
        trained_at,
        model,
        test_as_of,
        auc,
        truth_auc,
    from runs
    where model <> 'notes'
)

select * from final
order by trained_at desc, model
