-- One project's billing by month from the contract month on (`$from_month`): the revenue of its
-- products (`$product_ids`) on its account (`$account_id`) each month through the latest billed one.
with billing as (
    select billing_month, product_id, revenue_yuan
    from billing_monthly
    where account_id = $account_id and list_contains($product_ids::varchar[], product_id)
        and billing_month >= $from_month::date
),

months as (
    select unnest(generate_series($from_month::date, (select max(billing_month) from billing_monthly), interval 1 month))::date
        as billing_month
),

final as (
    select months.billing_month, coalesce(sum(billing.revenue_yuan), 0)::double as billed_yuan,
    from months
    left join billing on billing.billing_month = months.billing_month
    group by months.billing_month
)

select * from final
order by billing_month
