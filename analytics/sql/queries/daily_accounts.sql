-- The accounts a form may name: accounts in scope that are not closed (销户), by id, at most
-- `$limit` (a form also accepts an id typed in).
with accounts as (
    select *
    from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

final as (
    select
        account_id,
        account_name,
        manager_id,
    from accounts
    where status <> '销户'
)

select * from final
order by account_id
limit $limit
