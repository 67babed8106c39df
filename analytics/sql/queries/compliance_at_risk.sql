-- Accounts at risk in scoring month `$score_month` (客户挽留, SPEC §6), by the one definition
-- (macro `is_at_risk`: churn probability at least `$at_risk_probability`, the rules' threshold —
-- the accounts the portfolio overview counts). risk_rank orders every scored account of the
-- month (not only the filtered ones) by revenue at risk. With the retention actions recorded
-- (and not cancelled) between `$actions_from` and `$actions_through`: how many, and the latest one.
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

scores as (
    select * from scores
    where as_of_month = $score_month::date
),

retention_actions as (
    select
        action_id,
        account_id,
        owner_id,
        action,
        status::varchar as status,
        outcome::varchar as outcome,
        created_at,
    from retention_actions
),

ranked as (
    select
        *,
        row_number() over (order by revenue_at_risk_yuan desc nulls last, account_id) as risk_rank,
    from scores
),

at_risk as (
    select *
    from ranked
    where is_at_risk(churn_probability, $at_risk_probability)
),

answering_actions as (
    select
        account_id,
        count(*) as action_count,
        arg_max(action, created_at) as latest_action,
        arg_max(status, created_at) as latest_status,
        arg_max(outcome, created_at) as latest_outcome,
        arg_max(owner_id, created_at) as latest_owner_id,
        max(created_at) as latest_action_at,
    from retention_actions
    where status <> '已取消'
        and created_at >= $actions_from::timestamp
        and created_at <= $actions_through::timestamp
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.manager_id,
        managers.manager_name,
        accounts.district,
        accounts.value_class,
        accounts.is_key_account,
        at_risk.churn_probability,
        at_risk.revenue_at_risk_yuan,
        at_risk.revenue_12m_yuan,
        at_risk.churn_reasons,
        at_risk.risk_rank,
        coalesce(answering_actions.action_count, 0) as action_count,
        coalesce(answering_actions.action_count, 0) > 0 as has_action,
        answering_actions.latest_action,
        answering_actions.latest_status,
        answering_actions.latest_outcome,
        answering_actions.latest_owner_id,
        answering_actions.latest_action_at,
    from at_risk
    inner join accounts
        on at_risk.account_id = accounts.account_id
    left join managers
        on accounts.manager_id = managers.manager_id
    left join answering_actions
        on at_risk.account_id = answering_actions.account_id
)

select * from final
order by revenue_at_risk_yuan desc nulls last, account_id
