-- Revenue summary for the trends page, so that a filter change never rescans billing: month ×
-- the account attributes the sidebar filters on (district, industry, value class), at three
-- grains told apart by `grain`:
--   'product'  … × area × product: revenue, quantity, accounts billed for the product;
--   'area'     … × area: revenue, accounts billed in the area;
--   'account'  … × opening year: revenue, accounts billed at all (the cohort view's grain).
-- Billed = revenue > 0. Distinct accounts do not add up across products or areas, hence one
-- count per grain; within a grain every figure adds up across districts, industries, classes
-- and opening years. Quantity only at the product grain (billing units differ by product).
-- Manager filters, which this grain cannot express, go to the base tables.
with billing as (
    select * from stg_billing_monthly
),

accounts as (
    select * from stg_accounts
),

products as (
    select * from stg_products
),

activity as (
    select * from int_account_month_activity
),

product_grain as (
    select
        'product' as grain,
        billing.billing_month,
        accounts.district,
        accounts.industry,
        accounts.value_class,
        null::integer as opened_year,
        products.area::varchar as area,
        billing.product_id,
        sum(billing.revenue_yuan) as revenue_yuan,
        sum(billing.quantity)::bigint as quantity,
        count(*) filter (where billing.revenue_yuan > 0) as account_count,
    from billing
    inner join accounts on accounts.account_id = billing.account_id
    inner join products on products.product_id = billing.product_id
    group by all
),

-- The account-month table already holds each account's revenue per area: summing it is a
-- fifth of the rows of billing.
cells as (
    select
        activity.billing_month,
        accounts.district,
        accounts.industry,
        accounts.value_class,
        year(accounts.opened_on) as opened_year,
        sum(activity.revenue_yuan) as revenue_yuan,
        count(*) filter (where activity.revenue_yuan > 0) as account_count,
        sum(activity.revenue_basic_comm_yuan) as revenue_basic_comm,
        sum(activity.revenue_mobile_office_yuan) as revenue_mobile_office,
        sum(activity.revenue_production_control_yuan) as revenue_production_control,
        sum(activity.revenue_service_marketing_yuan) as revenue_service_marketing,
        count(*) filter (where activity.revenue_basic_comm_yuan > 0) as accounts_basic_comm,
        count(*) filter (where activity.revenue_mobile_office_yuan > 0) as accounts_mobile_office,
        count(*) filter (where activity.revenue_production_control_yuan > 0) as accounts_production_control,
        count(*) filter (where activity.revenue_service_marketing_yuan > 0) as accounts_service_marketing,
    from activity
    inner join accounts on accounts.account_id = activity.account_id
    group by all
    having count(*) filter (where activity.revenue_yuan is not null) > 0
),

account_grain as (
    select
        'account' as grain,
        billing_month,
        district,
        industry,
        value_class,
        opened_year,
        null::varchar as area,
        null::varchar as product_id,
        revenue_yuan,
        null::bigint as quantity,
        account_count,
    from cells
),

area_cells as (
    unpivot (
        select
            billing_month,
            district,
            industry,
            value_class,
            sum(revenue_basic_comm) as revenue_basic_comm,
            sum(revenue_mobile_office) as revenue_mobile_office,
            sum(revenue_production_control) as revenue_production_control,
            sum(revenue_service_marketing) as revenue_service_marketing,
            sum(accounts_basic_comm) as accounts_basic_comm,
            sum(accounts_mobile_office) as accounts_mobile_office,
            sum(accounts_production_control) as accounts_production_control,
            sum(accounts_service_marketing) as accounts_service_marketing,
        from cells
        group by all
    )
    on
        (revenue_basic_comm, accounts_basic_comm) as basic_comm,
        (revenue_mobile_office, accounts_mobile_office) as mobile_office,
        (revenue_production_control, accounts_production_control) as production_control,
        (revenue_service_marketing, accounts_service_marketing) as service_marketing
    into name area value revenue_yuan, account_count
),

area_grain as (
    select
        'area' as grain,
        billing_month,
        district,
        industry,
        value_class,
        null::integer as opened_year,
        area,
        null::varchar as product_id,
        revenue_yuan,
        null::bigint as quantity,
        account_count,
    from area_cells
    where revenue_yuan is not null
),

final as (
    select * from product_grain
    union all by name
    select * from area_grain
    union all by name
    select * from account_grain
)

select * from final
