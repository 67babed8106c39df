-- The product catalogue: id and (Chinese) name, for reading product names in interview notes.
select product_id, product_name
from products
order by product_id
