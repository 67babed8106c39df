-- The products recommended to an account in $month, per area, best first.
with recommendations as (
    select * from score_recommendations
    where account_id = $account_id
        and as_of_month = $month
),

final as (
    select
        area,
        rank,
        product_id,
        product_name,
        probability,
        annual_value_yuan,
        expected_value_yuan,
    from recommendations
    order by area, rank
)

select * from final
