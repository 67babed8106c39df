-- The import history of the import page (数据导入): every import applied, newest first, from the
-- audit trail (analytics/views/data_import.py writes them as action 'change', object 'import',
-- detail "files …; rows …").
with events as (
    select * from audit_log
    where action = 'change' and object = 'import'
),

final as (
    select
        occurred_at,
        username,
        role,
        detail,
    from events
    order by event_id desc
    limit $limit
)

select * from final
