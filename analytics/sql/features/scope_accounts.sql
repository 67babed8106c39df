-- materialized: query
-- grain: account_id
-- The scope model's rows: every account billed in the 12 months up to $label_end that has a
-- business scope, with whether it held a product of each area (revenue in any of those months).
with last as (select $label_end::date as month),
held as (
    select b.account_id, p.area, max(b.revenue_yuan) > 0 as holds
    from stg_billing_monthly b
    join stg_products p using (product_id)
    cross join last
    where b.billing_month > last.month - interval 12 month
    group by all
)
select
    a.account_id,
    a.business_scope,
    coalesce(bool_or(h.holds and h.area = 'basic_comm'), false) as holds_basic_comm,
    coalesce(bool_or(h.holds and h.area = 'mobile_office'), false) as holds_mobile_office,
    coalesce(bool_or(h.holds and h.area = 'production_control'), false) as holds_production_control,
    coalesce(bool_or(h.holds and h.area = 'service_marketing'), false) as holds_service_marketing,
from stg_accounts a
join held h using (account_id)
where a.business_scope is not null and trim(a.business_scope) <> ''
group by all
order by a.account_id
