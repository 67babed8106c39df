-- Retention actions (客户挽留) of accounts in scope recorded from `$since` up to `$until`
-- (inclusive), newest first, with the account's and the owner's names.
with accounts as (
    select *
    from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

managers as (
    select * from stg_managers
),

retention_actions as (
    select
        action_id,
        account_id,
        owner_id,
        action,
        status::varchar as status,
        outcome::varchar as outcome,
        created_at,
        due_on,
        completed_at,
    from retention_actions
),

final as (
    select
        retention_actions.action_id,
        retention_actions.account_id,
        accounts.account_name,
        accounts.district,
        retention_actions.owner_id,
        managers.manager_name as owner_name,
        retention_actions.action,
        retention_actions.status,
        retention_actions.outcome,
        retention_actions.created_at,
        retention_actions.due_on,
        retention_actions.completed_at,
    from retention_actions
    inner join accounts
        on retention_actions.account_id = accounts.account_id
    left join managers
        on retention_actions.owner_id = managers.manager_id
    where retention_actions.created_at >= $since::timestamp
        and retention_actions.created_at <= $until::timestamp
)

select * from final
order by created_at desc, action_id
