-- The catalogue's products of one area (what an opportunity of that area may hold), by id.
select product_id, product_name
from products
where area = $area
order by product_id
