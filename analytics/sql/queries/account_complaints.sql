-- An account's complaints opened in the 12 months up to the end of $month, newest first.
with complaints as (
    select * from stg_complaints
    where account_id = $account_id
        and opened_month <= $month
        and opened_month > $month - interval 12 month
),

final as (
    select
        opened_at,
        category,
        severity,
        resolved_at,
    from complaints
    order by opened_at desc
)

select * from final
