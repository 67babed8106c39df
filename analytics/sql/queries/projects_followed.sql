-- 信息化项目: the projects on accounts within the user's reach (`$scope_managers`: null means every
-- account), each with its opportunity, account, owner, milestones and collaborators, and its
-- billing followed (analytics/common/project_terms.py): from the month after the contract
-- (合同's actual date, else the signing) through the warehouse's latest billing month, the revenue
-- of the project's products on the account, and what the account paid for them on average in the
-- `$baseline_months` months before the contract month (already there, so not the project's).
with projects as (
    select * from projects
),

opportunities as (
    select * from opportunities
),

accounts as (
    select account_id, account_name, manager_id from accounts
),

owners as (
    select manager_id, manager_name from managers
),

milestones as (
    select * from project_milestones
),

billing as (
    select account_id, billing_month, product_id, revenue_yuan from billing_monthly
),

latest as (
    select max(billing_month) as last_month from billing
),

contracts as (
    select
        projects.project_id,
        date_trunc('month', coalesce(milestones.actual_on, opportunities.closed_at::date, projects.created_at::date))
            as contract_month,
    from projects
    inner join opportunities on opportunities.opportunity_id = projects.opportunity_id
    left join milestones on milestones.project_id = projects.project_id and milestones.milestone = $contract
),

windows as (
    select
        contracts.project_id,
        contracts.contract_month,
        (contracts.contract_month + interval 1 month)::date as first_due_month,
        latest.last_month,
        greatest(0, date_diff('month', contracts.contract_month, latest.last_month)) as months_due,
    from contracts cross join latest
),

project_products as (
    select projects.project_id, projects.account_id, unnest(opportunities.product_ids) as product_id
    from projects
    inner join opportunities on opportunities.opportunity_id = projects.opportunity_id
),

revenue as (
    select
        windows.project_id,
        coalesce(sum(billing.revenue_yuan) filter (
            where billing.billing_month between windows.first_due_month and windows.last_month
        ), 0)::double as billed_yuan,
        coalesce(sum(billing.revenue_yuan) filter (
            where billing.billing_month >= windows.contract_month - to_months($baseline_months::integer)
                and billing.billing_month < windows.contract_month
        ), 0)::double / $baseline_months::integer as baseline_monthly_yuan,
    from windows
    inner join project_products on project_products.project_id = windows.project_id
    left join billing on billing.account_id = project_products.account_id
        and billing.product_id = project_products.product_id
    group by windows.project_id
),

steps as (
    select
        project_id,
        max(list_position($milestones::varchar[], milestone)) filter (where actual_on is not null) as reached_position,
        min(planned_on) filter (where actual_on is null) as next_planned_on,
        arg_min(milestone, planned_on) filter (where actual_on is null and planned_on is not null) as next_milestone,
        count(*) filter (where actual_on is null and planned_on < $today::date) as overdue_count,
    from milestones
    group by project_id
),

team as (
    select project_id, list(person_name || '（' || role || '）' order by role, person_name) as collaborators
    from project_collaborators
    group by project_id
),

named as (
    select
        projects.project_id,
        list(products.product_name order by position) as product_names,
    from projects
    inner join opportunities on opportunities.opportunity_id = projects.opportunity_id,
        unnest(opportunities.product_ids) with ordinality as listed(product_id, position)
    left join products on products.product_id = listed.product_id
    group by projects.project_id
),

final as (
    select
        projects.project_id,
        projects.project_name,
        projects.kind,
        projects.opportunity_id,
        projects.account_id,
        accounts.account_name,
        accounts.manager_id,
        owners.manager_name,
        opportunities.area::varchar as area,
        opportunities.product_ids,
        coalesce(named.product_names, []::varchar[]) as product_names,
        opportunities.expected_monthly_yuan::double as expected_monthly_yuan,
        opportunities.expected_one_off_yuan::double as expected_one_off_yuan,
        opportunities.closed_at as signed_at,
        windows.contract_month,
        windows.first_due_month,
        windows.last_month,
        windows.months_due,
        coalesce(revenue.billed_yuan, 0) as billed_yuan,
        coalesce(revenue.baseline_monthly_yuan, 0) as baseline_monthly_yuan,
        opportunities.expected_monthly_yuan::double * windows.months_due as expected_yuan,
        coalesce(revenue.billed_yuan, 0) - coalesce(revenue.baseline_monthly_yuan, 0) * windows.months_due
            as arrived_yuan,
        list_extract($milestones::varchar[], steps.reached_position) as reached_milestone,
        steps.next_milestone,
        steps.next_planned_on,
        coalesce(steps.overdue_count, 0) as overdue_count,
        coalesce(team.collaborators, []::varchar[]) as collaborators,
        projects.created_at,
        projects.updated_at,
        projects.version,
    from projects
    inner join opportunities on opportunities.opportunity_id = projects.opportunity_id
    inner join accounts on accounts.account_id = projects.account_id
    left join owners on owners.manager_id = accounts.manager_id
    inner join windows on windows.project_id = projects.project_id
    left join revenue on revenue.project_id = projects.project_id
    left join steps on steps.project_id = projects.project_id
    left join team on team.project_id = projects.project_id
    left join named on named.project_id = projects.project_id
    where $scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], accounts.manager_id)
)

select * from final
order by signed_at desc, project_id
