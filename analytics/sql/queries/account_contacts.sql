-- An account's key people (关键人), decision-makers first.
with contacts as (
    select * from stg_contacts
    where account_id = $account_id
),

final as (
    select
        contact_name,
        role,
        department,
        title,
        carrier,
    from contacts
    order by
        case role when '决策人' then 0 when '联系人' then 1 when '部门管理者' then 2 when '关联单位' then 3 else 4 end,
        contact_id
)

select * from final
