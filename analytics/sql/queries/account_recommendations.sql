-- The products recommended to an account in $month, per area, best first, with why (basis:
-- peers / need / named) and the catalogue's list price and billing unit.
with recommendations as (
    select * from score_recommendations
    where account_id = $account_id
        and as_of_month = $month
),

products as (
    select * from stg_products
),

final as (
    select
        recommendations.area,
        recommendations.rank,
        recommendations.product_id,
        recommendations.product_name,
        recommendations.probability,
        recommendations.annual_value_yuan,
        recommendations.expected_value_yuan,
        recommendations.basis,
        products.list_price_yuan,
        products.billing_unit,
    from recommendations
    left join products on products.product_id = recommendations.product_id
    order by recommendations.area, recommendations.rank
)

select * from final
