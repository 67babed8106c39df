-- The product catalogue, for the trends page's product picker and labels.
with products as (
    select * from stg_products
),

final as (
    select
        product_id,
        product_name,
        area::varchar as area,
    from products
)

select * from final
order by product_id
