-- Profile freshness over time: for each as-of day of `$as_of_days` (month ends) and kind, the
-- accounts in service that day (macro `is_in_service`) and how many were overdue — the same
-- rule as compliance_profile_status.
with accounts as (
    select *
    from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

profile_updates as (
    select * from stg_profile_updates
),

cadences as (
    select
        unnest($cadence_classes::varchar[]) as cadence_class,
        unnest($basic_months::integer[]) as basic_months,
        unnest($personal_months::integer[]) as personal_months,
),

as_of_days as (
    select unnest($as_of_days::date[]) as as_of_on
),

accounts_on_books as (
    select
        as_of_days.as_of_on,
        accounts.account_id,
        accounts.opened_on,
        case when accounts.is_key_account then 'key' else accounts.value_class end as cadence_class,
    from accounts
    cross join as_of_days
    where is_in_service(accounts.status, accounts.opened_on, accounts.closed_on, as_of_days.as_of_on)
),

account_kinds as (
    select
        accounts_on_books.*,
        kinds.kind,
        (accounts_on_books.as_of_on + interval 1 day)::timestamp as next_day_at,
        (
            accounts_on_books.as_of_on
            - to_months(case kinds.kind when 'basic' then cadences.basic_months else cadences.personal_months end)
            - interval 4 day
        )::timestamp as earliest_counting_at,
        case kinds.kind
            when 'basic' then cadences.basic_months
            else cadences.personal_months
        end as cadence_months,
    from accounts_on_books
    cross join (values ('basic'), ('personal')) as kinds (kind)
    inner join cadences
        on accounts_on_books.cadence_class = cadences.cadence_class
),

with_last_update as (
    -- Only updates that can still count matter: those less than the cadence (plus a few days
    -- for month-end arithmetic) before the as-of day; this bounds the join.
    select
        account_kinds.as_of_on,
        account_kinds.account_id,
        account_kinds.kind,
        account_kinds.opened_on,
        account_kinds.cadence_months,
        max(profile_updates.updated_at) as last_updated_at,
    from account_kinds
    left join profile_updates
        on account_kinds.account_id = profile_updates.account_id
        and account_kinds.kind = profile_updates.kind
        and profile_updates.updated_at < account_kinds.next_day_at
        and profile_updates.updated_at >= account_kinds.earliest_counting_at
    group by all
),

judged as (
    select
        as_of_on,
        kind,
        as_of_on > (coalesce(last_updated_at::date, opened_on) + to_months(cadence_months))::date as is_overdue,
    from with_last_update
),

final as (
    select
        as_of_on,
        kind,
        count(*) as account_count,
        count(*) filter (where is_overdue) as overdue_count,
        1 - count(*) filter (where is_overdue) / nullif(count(*), 0) as compliance_rate,
    from judged
    group by as_of_on, kind
)

select * from final
order by as_of_on, kind
