with events as (
    select * from audit_log
),

final as (
    select
        occurred_at,
        username,
        role,
        action,
        object,
        detail,
    from events
    where ($username is null or username = $username)
        and ($action is null or action = $action)
    order by event_id desc
    limit $limit
)

select * from final
