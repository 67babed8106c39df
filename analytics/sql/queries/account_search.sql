-- The account picker: accounts within the sidebar's filters whose id or name contains $search
-- (every account when it is empty), at most 50: an exact id first, then the largest revenue at
-- risk in $month, so that a manager's list opens on the accounts that need them.
with accounts as (
    select * from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
),

month_scores as (
    select * from scores
    where as_of_month = $month
),

matched as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.district,
        accounts.value_class,
        accounts.status,
        accounts.account_id = $search as is_exact_id,
    from accounts
    where $search = ''
        or contains(accounts.account_id, $search)
        or contains(lower(accounts.account_name), lower($search))
),

final as (
    select
        matched.account_id,
        matched.account_name,
        matched.district,
        matched.value_class,
        matched.status,
        month_scores.revenue_at_risk_yuan,
    from matched
    left join month_scores on month_scores.account_id = matched.account_id
    order by matched.is_exact_id desc, month_scores.revenue_at_risk_yuan desc nulls last, matched.account_id
    limit 50
)

select * from final
