-- materialized: query
-- grain: account_id, as_of_month, area
-- Upsell: as of the end of each month, for an account billing that month and each area, whether
-- it starts a product of that area (a product billed in a month and not in the one before)
-- within the next $window_months. Only as-of months whose window is complete get a label.
with features as (
    select * from mart_account_features
),

billing as (
    -- the same hash sample of accounts as the training features (all when keep = total)
    select * from stg_billing_monthly
    where hash(account_id) % $sample_total < $sample_keep
),

products as (
    select * from stg_products
),

last_month as (
    select max(billing_month) as last_month from features
),

starts as (
    select distinct
        billing.account_id,
        billing.billing_month,
        products.area,
    from billing
    inner join products on products.product_id = billing.product_id
    where billing.quantity > 0
        and not exists (
            select 1 from billing as before
            where before.account_id = billing.account_id
                and before.product_id = billing.product_id
                and before.billing_month = (billing.billing_month - interval 1 month)::date
                and before.quantity > 0
        )
        and billing.billing_month > (
            select min(first.billing_month) from billing as first where first.account_id = billing.account_id
        )
),

population as (
    select
        features.account_id,
        features.billing_month as as_of_month,
        areas.area,
    from features
    cross join (select distinct area from products) as areas
    where features.revenue_yuan > 0
        and hash(features.account_id) % $sample_total < $sample_keep
),

final as (
    select
        population.account_id,
        population.as_of_month,
        population.area,
        (population.as_of_month + to_months($window_months))::date <= any_value(last_month.last_month) as is_complete,
        count(starts.account_id) > 0 as is_adopted,
    from population
    cross join last_month
    left join starts
        on starts.account_id = population.account_id
        and starts.area = population.area
        and starts.billing_month > population.as_of_month
        and starts.billing_month <= (population.as_of_month + to_months($window_months))::date
    group by population.account_id, population.as_of_month, population.area
)

select * from final
