with managers as (
    select * from stg_managers
),

final as (
    select
        manager_id,
        manager_name,
        district,
    from managers
)

select * from final
order by manager_id
