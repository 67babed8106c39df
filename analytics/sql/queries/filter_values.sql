with accounts as (
    select * from stg_accounts
),

final as (
    select distinct 'district' as kind, district as value from accounts
    union all
    select distinct 'industry' as kind, industry as value from accounts
    union all
    select distinct 'class' as kind, value_class as value from accounts
)

select * from final
order by kind, value
