-- What `analytics/warehouse/rolling.py` reads: every row of the account months (`account_month_rows`, a
-- temporary view of the select being windowed) with its account's number among the accounts and
-- its month's number since the first month of data, sorted by both, so that each account's months
-- are consecutive rows.
with activity as (
    select * from account_month_rows
),

accounts as (
    select
        account_id,
        row_number() over () - 1 as account_number,
    from stg_accounts
),

data_months as (
    select min(billing_month) as first_month,
    from int_account_months
),

final as (
    select
        activity.*,
        accounts.account_number,
        date_diff('month', data_months.first_month, activity.billing_month) as month_number,
    from activity
    inner join accounts on accounts.account_id = activity.account_id
    cross join data_months
)

select * from final
order by account_number, month_number
