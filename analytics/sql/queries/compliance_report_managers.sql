-- Per account manager with accounts in scope: the competitor reports filed from `$since`
-- (inclusive) to `$until` (exclusive), the urgent ones among them, and the last report filed
-- before `$until` (for "when did this manager last report").
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
    select
        manager_id,
        count(*) as account_count,
    from accounts
    group by manager_id
),

filed as (
    select
        manager_id,
        count(*) filter (where reported_at >= $since::timestamp) as report_count,
        count(*) filter (where reported_at >= $since::timestamp and kind = $urgent_kind) as urgent_count,
        max(reported_at) as last_reported_at,
    from reports
    where reported_at < $until::timestamp
    group by manager_id
),

final as (
    select
        scoped_managers.manager_id,
        managers.manager_name,
        managers.district,
        scoped_managers.account_count,
        coalesce(filed.report_count, 0) as report_count,
        coalesce(filed.urgent_count, 0) as urgent_count,
        filed.last_reported_at,
    from scoped_managers
    left join managers
        on scoped_managers.manager_id = managers.manager_id
    left join filed
        on scoped_managers.manager_id = filed.manager_id
)

select * from final
order by manager_id
