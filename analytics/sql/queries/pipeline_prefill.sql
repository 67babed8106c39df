-- What a new opportunity of one account and area starts from: the area's recommended products
-- of the scoring month `$month` (best first, at most `$product_count`) with their annual value.
with recommendations as (
    select * from score_recommendations
    where account_id = $account_id
        and as_of_month = $month
        and area = $area
),

final as (
    select product_id, product_name, annual_value_yuan::double as annual_value_yuan, rank
    from recommendations
)

select * from final
order by rank
limit $product_count
