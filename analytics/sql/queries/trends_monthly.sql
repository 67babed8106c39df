-- Revenue, quantity and billed accounts per month and group of the chosen $dimension, from the
-- revenue summary mart (fast at province scale). Valid only without a manager filter: the mart's
-- grain has no manager, so the filtered accounts narrow it by their (district, industry, class)
-- cells; with a manager filter the page reads trends_monthly_accounts instead. $grain is the
-- mart's grain that answers the question ('product' when $dimension is product or a $product is
-- chosen, 'account' for the opening year, else 'area' or 'account').
with scoped as (
    select distinct
        district,
        industry,
        value_class,
    from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
),

summary as (
    select * from mart_revenue_monthly_summary
    where grain = $grain
        and ($product::varchar is null or product_id = $product::varchar)
),

grouped as (
    select
        summary.billing_month,
        case $dimension::varchar
            when 'area' then summary.area
            when 'product' then summary.product_id
            when 'industry' then summary.industry
            when 'district' then summary.district
            when 'value_class' then summary.value_class
            when 'opened_year' then summary.opened_year::varchar
        end as group_value,
        summary.revenue_yuan,
        summary.quantity,
        summary.account_count,
    from summary
    inner join scoped
        on scoped.district = summary.district
        and scoped.industry = summary.industry
        and scoped.value_class = summary.value_class
),

final as (
    select
        billing_month,
        group_value,
        sum(revenue_yuan) as revenue_yuan,
        sum(quantity)::bigint as quantity,
        sum(account_count)::bigint as account_count,
    from grouped
    group by billing_month, group_value
)

select * from final
order by billing_month, group_value
