-- The listed accounts at risk (`account_ids`: the first of the at-risk list as ranked by
-- analytics.views.compliance.retention_ranking over `portfolio_at_risk_order`; scoped again here,
-- and at risk by the macro `is_at_risk` with `$at_risk_probability`, the rules' threshold) in the
-- selected month, with their manager, churn probability and top reasons,
-- and the latest retention action recorded for each (客户挽留: what, by whom, its status, when;
-- null when none was ever recorded).
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

retention_actions as (
    select
        action_id,
        account_id,
        owner_id,
        action,
        status::varchar as status,
        created_at,
    from retention_actions
),

-- The ranking is made on `portfolio_at_risk_order`'s few columns; the rest is fetched here for the
-- few rows kept.
top_accounts as (
    select
        scores.account_id,
        scores.revenue_at_risk_yuan,
    from scores
    where scores.as_of_month = $month::date
        and is_at_risk(scores.churn_probability, $at_risk_probability)
        and scores.account_id in (select account_id from accounts)
        and list_contains($account_ids::varchar[], scores.account_id)
),

latest_actions as (
    select
        retention_actions.account_id,
        retention_actions.action as latest_action,
        retention_actions.status as latest_action_status,
        retention_actions.owner_id as latest_action_owner_id,
        retention_actions.created_at as latest_action_at,
    from retention_actions
    inner join top_accounts on top_accounts.account_id = retention_actions.account_id
    qualify row_number() over (
        partition by retention_actions.account_id
        order by retention_actions.created_at desc, retention_actions.action_id desc
    ) = 1
),

final as (
    select
        top_accounts.account_id,
        accounts.account_name,
        accounts.manager_id,
        managers.manager_name,
        accounts.district,
        accounts.value_class,
        scores.churn_probability,
        scores.revenue_12m_yuan,
        scores.revenue_at_risk_yuan,
        array_to_string(scores.churn_reasons, '；') as churn_reasons,
        latest_actions.latest_action,
        latest_actions.latest_action_status,
        latest_actions.latest_action_owner_id,
        owners.manager_name as latest_action_owner_name,
        latest_actions.latest_action_at,
    from top_accounts
    inner join scores
        on scores.account_id = top_accounts.account_id
        and scores.as_of_month = $month::date
    inner join accounts on accounts.account_id = top_accounts.account_id
    left join managers on managers.manager_id = accounts.manager_id
    left join latest_actions on latest_actions.account_id = top_accounts.account_id
    left join managers as owners on owners.manager_id = latest_actions.latest_action_owner_id
)

select * from final
order by revenue_at_risk_yuan desc nulls last, account_id
