-- The portfolio's figures at three levels, in one pass over the scoped accounts:
--   level 'total'    — one row for the selected month and one for the month before (headline);
--   level 'district' — one row per district, selected month;
--   level 'manager'  — the `limit` managers with the most revenue at risk, selected month, with
--                      the number of managers in all (manager_count).
-- Figures: accounts in service at the month's end (macro `is_in_service`, the count every page
-- shows), of which scored (scored_account_count), revenue billed, revenue at risk, accounts at
-- risk (macro `is_at_risk`: churn probability at least `$at_risk_probability`, the rules'
-- threshold), opportunity value. A month without scores has a scored_account_count of 0 in its
-- total row.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

-- Revenue per account and month as stored by the build (the feature mart may be a view whose
-- joins this query does not need).
activity as (
    select * from int_account_month_activity
),

managers as (
    select * from stg_managers
),

months as (
    select unnest([$month::date, ($month::date - interval 1 month)::date]) as month
),

in_service as (
    select
        accounts.account_id,
        months.month,
    from accounts
    cross join months
    where is_in_service(accounts.status, accounts.opened_on, accounts.closed_on, last_day(months.month))
),

-- Accounts in service, scores and revenue of both months stacked rather than joined: every
-- figure is a sum or a count, so one join with the accounts serves them all.
facts as (
    select
        account_id,
        month,
        1 as in_service_count,
        0 as scored_count,
        null::double as churn_probability,
        null::double as revenue_at_risk_yuan,
        null::double as opportunity_value_yuan,
        null::double as revenue_yuan,
    from in_service
    union all
    select
        account_id,
        as_of_month as month,
        0 as in_service_count,
        1 as scored_count,
        churn_probability,
        revenue_at_risk_yuan,
        opportunity_value_yuan,
        null::double as revenue_yuan,
    from scores
    where as_of_month = $month::date
        or as_of_month = ($month::date - interval 1 month)::date
    union all
    select
        account_id,
        billing_month as month,
        0 as in_service_count,
        0 as scored_count,
        null::double as churn_probability,
        null::double as revenue_at_risk_yuan,
        null::double as opportunity_value_yuan,
        revenue_yuan,
    from activity
    where (billing_month = $month::date or billing_month = ($month::date - interval 1 month)::date)
        and revenue_yuan <> 0
),

cells as (
    select
        facts.month,
        accounts.district,
        accounts.manager_id,
        sum(facts.in_service_count) as account_count,
        sum(facts.scored_count) as scored_account_count,
        sum(facts.revenue_yuan) as revenue_yuan,
        sum(facts.revenue_at_risk_yuan) as revenue_at_risk_yuan,
        count(*) filter (where is_at_risk(facts.churn_probability, $at_risk_probability)) as at_risk_account_count,
        sum(facts.opportunity_value_yuan) as opportunity_value_yuan,
    from facts
    inner join accounts on accounts.account_id = facts.account_id
    group by facts.month, accounts.district, accounts.manager_id
),

month_totals as (
    select
        'total' as level,
        month,
        null::varchar as district,
        null::varchar as manager_id,
        sum(account_count) as account_count,
        sum(scored_account_count) as scored_account_count,
        sum(revenue_yuan) as revenue_yuan,
        sum(revenue_at_risk_yuan) as revenue_at_risk_yuan,
        sum(at_risk_account_count) as at_risk_account_count,
        sum(opportunity_value_yuan) as opportunity_value_yuan,
    from cells
    group by month
),

district_totals as (
    select
        'district' as level,
        month,
        district,
        null::varchar as manager_id,
        sum(account_count) as account_count,
        sum(scored_account_count) as scored_account_count,
        coalesce(sum(revenue_yuan), 0) as revenue_yuan,
        coalesce(sum(revenue_at_risk_yuan), 0) as revenue_at_risk_yuan,
        sum(at_risk_account_count) as at_risk_account_count,
        coalesce(sum(opportunity_value_yuan), 0) as opportunity_value_yuan,
    from cells
    where month = $month::date
    group by month, district
),

manager_totals as (
    select
        'manager' as level,
        month,
        null::varchar as district,
        manager_id,
        sum(account_count) as account_count,
        sum(scored_account_count) as scored_account_count,
        coalesce(sum(revenue_yuan), 0) as revenue_yuan,
        coalesce(sum(revenue_at_risk_yuan), 0) as revenue_at_risk_yuan,
        sum(at_risk_account_count) as at_risk_account_count,
        coalesce(sum(opportunity_value_yuan), 0) as opportunity_value_yuan,
    from cells
    where month = $month::date
    group by month, manager_id
),

top_managers as (
    select
        *,
        count(*) over () as manager_count,
    from manager_totals
    order by revenue_at_risk_yuan desc, manager_id
    limit $limit
),

final as (
    select
        *,
        null::varchar as manager_name,
        null::bigint as manager_count,
    from month_totals
    union all
    select
        *,
        null::varchar as manager_name,
        null::bigint as manager_count,
    from district_totals
    union all
    select
        top_managers.level,
        top_managers.month,
        managers.district,
        top_managers.manager_id,
        top_managers.account_count,
        top_managers.scored_account_count,
        top_managers.revenue_yuan,
        top_managers.revenue_at_risk_yuan,
        top_managers.at_risk_account_count,
        top_managers.opportunity_value_yuan,
        managers.manager_name,
        top_managers.manager_count,
    from top_managers
    left join managers on managers.manager_id = top_managers.manager_id
)

select * from final
order by level, revenue_at_risk_yuan desc, district, manager_id
