-- One account's record (empty when the id is unknown or outside the user's scope), with its
-- manager's name.
with accounts as (
    select * from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
    where account_id = $account_id
),

managers as (
    select * from stg_managers
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.district,
        accounts.value_class,
        accounts.is_key_account,
        accounts.manager_id,
        managers.manager_name,
        managers.phone as manager_phone,
        managers.email as manager_email,
        accounts.employee_count,
        accounts.size_band,
        accounts.ownership,
        accounts.opened_on,
        accounts.agreement_expires_on,
        accounts.status,
        accounts.closed_on,
        accounts.business_scope,
    from accounts
    left join managers on managers.manager_id = accounts.manager_id
)

select * from final
