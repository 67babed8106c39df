-- The account managers of the scoped accounts, with how many of their accounts are in service at
-- the end of the selected month (macro `is_in_service`, as the portfolio counts them) and how many
-- are scored that month: the choice of the my-opportunities page.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

managers as (
    select * from stg_managers
),

month_scores as (
    select *
    from scores
    where as_of_month = $month::date
),

by_manager as (
    select
        accounts.manager_id,
        count(*) filter (
            where is_in_service(accounts.status, accounts.opened_on, accounts.closed_on, last_day($month::date))
        ) as in_service_account_count,
        count(month_scores.account_id) as scored_account_count,
    from accounts
    left join month_scores on month_scores.account_id = accounts.account_id
    group by accounts.manager_id
),

final as (
    select
        by_manager.manager_id,
        managers.manager_name,
        managers.district,
        by_manager.in_service_account_count,
        by_manager.scored_account_count,
    from by_manager
    left join managers on managers.manager_id = by_manager.manager_id
)

select * from final
order by manager_id
