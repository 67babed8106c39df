-- Monthly revenue by area of mobile informatization, for the headline chart.
with billing as (
    select * from billing_monthly
),

products as (
    select * from products
),

final as (
    select
        billing.billing_month,
        products.area,
        sum(billing.revenue_yuan) as revenue_yuan,
    from billing
    inner join products on products.product_id = billing.product_id
    group by billing.billing_month, products.area
    order by billing.billing_month, products.area
)

select * from final
