-- The manager's agenda (我的待办): accounts in scope, in service at `$as_of`, whose agreement
-- (协议) expires from `$as_of` up to `$until` (inclusive), soonest first.
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
        agreement_expires_on,
    from accounts
    where is_in_service(status, opened_on, closed_on, $as_of::date)
        and agreement_expires_on >= $as_of::date
        and agreement_expires_on <= $until::date
)

select * from final
order by agreement_expires_on, account_id
