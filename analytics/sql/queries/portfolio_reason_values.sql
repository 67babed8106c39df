-- The listed accounts' (`account_ids`) own values, in the selected month, of the feature-mart
-- columns named in `features`: what their churn reasons are worded from.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

features as (
    select * from mart_account_features
),

listed as (
    select account_id
    from accounts
    where list_contains($account_ids::varchar[], account_id)
),

final as (
    select
        account_id,
        -- billing_month keeps the selection non-empty when no feature is a mart column
        columns(lambda column_name: column_name = 'billing_month'
            or (list_contains($features::varchar[], column_name) and column_name <> 'account_id')),
    from features
    where billing_month = $month::date
        and account_id in (select account_id from listed)
)

select * from final
