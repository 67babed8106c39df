-- An account's features for the 24 months up to $month (one row per month, oldest first): the
-- trend of its consumption by area, and $month's own figures (the reasons' values among them).
with features as (
    select * from mart_account_features
    where account_id = $account_id
),

final as (
    select *
    from features
    where billing_month <= $month
        and billing_month > $month - interval 24 month
    order by billing_month
)

select * from final
