-- materialized: table
-- grain: account_id
-- Accounts with a decision maker on file, and whether one of them is with a competing carrier.
-- A table of its own because the feature mart, a view, would otherwise group the contacts again
-- on every read.
with contacts as (
    select * from stg_contacts
),

final as (
    select
        account_id,
        bool_or(carrier <> '中国移动') as has_decision_maker_on_competitor,
    from contacts
    where role = '决策人'
    group by account_id
)

select * from final
