-- Interviews and calls (走访记录) of accounts in scope from `$since` (inclusive) to `$until`
-- (exclusive), newest first, at most `$limit` rows.
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

interactions as (
    select * from interactions
),

final as (
    select
        interactions.interaction_id,
        interactions.account_id,
        accounts.account_name,
        interactions.manager_id,
        managers.manager_name,
        interactions.occurred_at,
        interactions.channel::varchar as channel,
        interactions.contact_role::varchar as contact_role,
        interactions.notes,
        interactions.needs_found::varchar[] as needs_found,
    from interactions
    inner join accounts
        on interactions.account_id = accounts.account_id
    left join managers
        on interactions.manager_id = managers.manager_id
    where interactions.occurred_at >= $since::timestamp
        and interactions.occurred_at < $until::timestamp
)

select * from final
order by occurred_at desc, interaction_id
limit $limit
