-- materialized: query
-- grain: account_id, as_of_month
-- The retention action an account got in a month (its first, when several): the treatment of the
-- account's row as of that month, whose churn window the action works in. Actions without a kind
-- (recorded before the kinds existed) and cancelled ones are left out.
with actions as (
    select
        account_id,
        date_trunc('month', created_at)::date as as_of_month,
        action_kind::varchar as treatment,
        row_number() over (
            partition by account_id, date_trunc('month', created_at) order by created_at, action_id
        ) as nth,
    from retention_actions
    where action_kind is not null
        and status != '已取消'
)

select account_id, as_of_month, treatment
from actions
where nth = 1
