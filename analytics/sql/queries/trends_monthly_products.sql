-- The figures of trends_monthly at the product grain (a $product chosen, or $dimension =
-- 'product'), read from billing and the filtered accounts themselves: for the filters the revenue
-- summary cannot express (account managers, the user's scope). Billing is scanned whole.
with scoped as (
    select * from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
),

billing as (
    select * from stg_billing_monthly
    where $product::varchar is null or product_id = $product::varchar
),

products as (
    select * from stg_products
),

grouped as (
    select
        billing.billing_month,
        case $dimension::varchar
            when 'area' then products.area::varchar
            when 'product' then billing.product_id
            when 'industry' then scoped.industry
            when 'district' then scoped.district
            when 'value_class' then scoped.value_class
            when 'opened_year' then year(scoped.opened_on)::varchar
        end as group_value,
        billing.account_id,
        billing.revenue_yuan,
        billing.quantity,
    from billing
    inner join scoped on scoped.account_id = billing.account_id
    inner join products on products.product_id = billing.product_id
),

final as (
    select
        billing_month,
        group_value,
        sum(revenue_yuan) as revenue_yuan,
        sum(quantity)::bigint as quantity,
        count(distinct account_id) filter (where revenue_yuan > 0) as account_count,
    from grouped
    group by billing_month, group_value
)

select * from final
order by billing_month, group_value
