-- Service contacts (服务次数, SPEC §6) against the visit quota of each account's class at
-- `$as_of`: contacts on the counted channels in the rolling window of the quota's months up to
-- that day (window_start_on … as_of), and whether the account is under quota. Accounts in
-- service that day only (macro `is_in_service`); quotas come in as parallel lists from rules.toml.
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
    select * from stg_interactions
),

quotas as (
    select
        unnest($quota_classes::varchar[]) as cadence_class,
        unnest($quota_visits::integer[]) as quota_visits,
        unnest($quota_months::integer[]) as quota_months,
),

accounts_on_books as (
    select
        *,
        case when is_key_account then 'key' else value_class end as cadence_class,
    from accounts
    where is_in_service(status, opened_on, closed_on, $as_of::date)
),

windows as (
    select
        accounts_on_books.*,
        quotas.quota_visits,
        quotas.quota_months,
        ($as_of::date - to_months(quotas.quota_months))::date + 1 as window_start_on,
    from accounts_on_books
    inner join quotas
        on accounts_on_books.cadence_class = quotas.cadence_class
),

contacts as (
    select
        windows.account_id,
        count(*) filter (
            where interactions.occurred_at >= windows.window_start_on
                and list_contains($counted_channels::varchar[], interactions.channel)
        ) as visit_count,
        count(*) filter (
            where interactions.occurred_at >= windows.window_start_on
                and interactions.channel = '上门'
        ) as on_site_count,
        max(interactions.occurred_at) as last_contact_at,
    from windows
    inner join interactions
        on windows.account_id = interactions.account_id
    where interactions.occurred_at < $as_of::date + interval 1 day
    group by windows.account_id
),

final as (
    select
        windows.account_id,
        windows.account_name,
        windows.manager_id,
        managers.manager_name,
        windows.district,
        windows.value_class,
        windows.is_key_account,
        windows.cadence_class,
        windows.quota_visits,
        windows.quota_months,
        windows.window_start_on,
        coalesce(contacts.visit_count, 0) as visit_count,
        coalesce(contacts.on_site_count, 0) as on_site_count,
        contacts.last_contact_at,
        coalesce(contacts.visit_count, 0) < windows.quota_visits as is_under_quota,
        greatest(windows.quota_visits - coalesce(contacts.visit_count, 0), 0) as visits_missing,
    from windows
    left join contacts
        on windows.account_id = contacts.account_id
    left join managers
        on windows.manager_id = managers.manager_id
)

select * from final
order by account_id
