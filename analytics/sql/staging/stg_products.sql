-- materialized: view
select
    product_id,
    product_name,
    area::varchar as area,
    billing_unit::varchar as billing_unit,
    list_price_yuan::double as list_price_yuan,
from products
