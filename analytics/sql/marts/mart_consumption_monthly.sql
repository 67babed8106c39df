-- materialized: view
-- grain: account_id, billing_month, product_id
-- grain_tested_by: unique_raw_billing
-- Consumption structure: account × month × product with its area, share of the account's bill,
-- and month-on-month and year-on-year change of the same product.
-- A view: it is read one account or one aggregate at a time, so as a view it costs nothing to
-- build (as a table: a third of the build at province scale).
-- Its rows are the bills one for one (each joined to its one product and its one bill a year
-- before), so its grain is billing's, checked by data_tests/unique_raw_billing.sql: grouping the
-- view by its key would cost 40 s of CPU at 300,000 accounts (joining 46 M bills to 46 M), half
-- the build, against that test's 7 s.
with billing as (
    select * from stg_billing_monthly
),

products as (
    select * from stg_products
),

joined as (
    select
        billing.account_id,
        billing.billing_month,
        billing.product_id,
        products.product_name,
        products.area,
        billing.revenue_yuan,
        billing.quantity,
        billing.is_group_paid,
        sum(billing.revenue_yuan) over account_month as account_revenue_yuan,
        lag(billing.revenue_yuan) over product_history as previous_revenue_yuan,
        lag(billing.billing_month) over product_history as previous_billing_month,
    from billing
    inner join products on products.product_id = billing.product_id
    window
        account_month as (partition by billing.account_id, billing.billing_month),
        product_history as (partition by billing.account_id, billing.product_id order by billing.billing_month)
),

year_ago as (
    select
        account_id,
        product_id,
        (billing_month + interval 12 month)::date as billing_month,
        revenue_yuan as year_ago_revenue_yuan,
    from billing
),

final as (
    select
        joined.account_id,
        joined.billing_month,
        joined.product_id,
        joined.product_name,
        joined.area,
        joined.revenue_yuan,
        joined.quantity,
        joined.is_group_paid,
        joined.revenue_yuan / nullif(joined.account_revenue_yuan, 0) as share_of_account,
        case
            when joined.previous_billing_month = (joined.billing_month - interval 1 month)::date
                then joined.revenue_yuan / nullif(joined.previous_revenue_yuan, 0) - 1
        end as revenue_change_mom,
        joined.revenue_yuan / nullif(year_ago.year_ago_revenue_yuan, 0) - 1 as revenue_change_yoy,
    from joined
    left join year_ago using (account_id, product_id, billing_month)
)

select * from final
