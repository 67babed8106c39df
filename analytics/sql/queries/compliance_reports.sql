-- Competitor reports (市场竞争信息) filed from `$since` (inclusive) to `$until` (exclusive): an
-- account's report when its account is in scope, an account-less report when its manager has
-- accounts in scope. Urgency and lateness are judged in Python (Chinese working days).
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

reports as (
    select * from stg_competitor_reports
),

scoped_managers as (
    select distinct manager_id from accounts
),

in_window as (
    select *
    from reports
    where reported_at >= $since::timestamp
        and reported_at < $until::timestamp
),

in_scope as (
    select in_window.*
    from in_window
    where in_window.account_id in (select account_id from accounts)
        or (
            in_window.account_id is null
            and in_window.manager_id in (select manager_id from scoped_managers)
        )
),

final as (
    select
        in_scope.report_id,
        in_scope.manager_id,
        managers.manager_name,
        managers.district,
        in_scope.account_id,
        accounts.account_name,
        in_scope.competitor,
        in_scope.kind,
        in_scope.observed_at,
        in_scope.reported_at,
        in_scope.description,
    from in_scope
    left join managers
        on in_scope.manager_id = managers.manager_id
    left join accounts
        on in_scope.account_id = accounts.account_id
)

select * from final
order by reported_at desc, report_id
