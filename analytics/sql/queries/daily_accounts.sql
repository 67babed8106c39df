-- The accounts a form lists: accounts in scope in service on `$today` (macro `is_in_service`:
-- the accounts the pages count), by id, at most `$limit` (a form also accepts an id typed in,
-- e.g. a prospect's or a lost account's).
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
    where is_in_service(status, opened_on, closed_on, $today::date)
)

select * from final
order by account_id
limit $limit
