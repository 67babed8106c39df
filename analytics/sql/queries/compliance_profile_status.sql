-- Profile freshness (SPEC §6) at `$as_of` of every account in service that day: per account
-- and kind (basic 基本资料 / personal 个性化资料) the last update up to that day, the day the
-- next one was due by the cadence of the account's class (key accounts by the key cadence), and
-- the days overdue. An account never updated counts from its opening date. Cadences come in as
-- parallel lists from rules.toml.
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

profile_updates as (
    select * from stg_profile_updates
),

cadences as (
    select
        unnest($cadence_classes::varchar[]) as cadence_class,
        unnest($basic_months::integer[]) as basic_months,
        unnest($personal_months::integer[]) as personal_months,
),

accounts_on_books as (
    select
        *,
        case when is_key_account then 'key' else value_class end as cadence_class,
    from accounts
    where is_in_service(status, opened_on, closed_on, $as_of::date)
),

account_kinds as (
    select
        accounts_on_books.*,
        kinds.kind,
        case kinds.kind
            when 'basic' then cadences.basic_months
            else cadences.personal_months
        end as cadence_months,
    from accounts_on_books
    cross join (values ('basic'), ('personal')) as kinds (kind)
    inner join cadences
        on accounts_on_books.cadence_class = cadences.cadence_class
),

last_updates as (
    select
        account_id,
        kind,
        max(updated_at) as last_updated_at,
    from profile_updates
    where updated_at < $as_of::date + interval 1 day
        and (
            unfiltered_scope(
                $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
                $scope_managers::varchar[]
            )
            or account_id in (select account_id from accounts_on_books)
        )
    group by account_id, kind
),

due as (
    select
        account_kinds.*,
        last_updates.last_updated_at,
        (
            coalesce(last_updates.last_updated_at::date, account_kinds.opened_on)
            + to_months(account_kinds.cadence_months)
        )::date as due_on,
    from account_kinds
    left join last_updates
        on account_kinds.account_id = last_updates.account_id
        and account_kinds.kind = last_updates.kind
),

final as (
    select
        due.account_id,
        due.account_name,
        due.manager_id,
        managers.manager_name,
        due.district,
        due.industry,
        due.value_class,
        due.is_key_account,
        due.cadence_class,
        due.kind,
        due.cadence_months,
        due.last_updated_at,
        due.due_on,
        $as_of::date > due.due_on as is_overdue,
        greatest($as_of::date - due.due_on, 0) as days_overdue,
    from due
    left join managers
        on due.manager_id = managers.manager_id
)

select * from final
order by account_id, kind
