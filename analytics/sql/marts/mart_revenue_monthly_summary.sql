-- materialized: table
-- grain: grain, billing_month, district, industry, value_class, opened_year, area, product_id
-- nullable_keys: opened_year, area, product_id
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

-- Each account's (district, industry, class) cell as a small integer: grouping 45 M billing rows
-- on one integer rather than three strings costs a quarter less CPU (measured at province scale).
account_cells as (
    select
        account_id,
        year(opened_on) as opened_year,
        dense_rank() over (order by district, industry, value_class)::integer as cell_id,
        district,
        industry,
        value_class,
    from accounts
),

cells as (
    select distinct
        cell_id,
        district,
        industry,
        value_class,
    from account_cells
),

product_months as (
    select
        billing.billing_month,
        account_cells.cell_id,
        billing.product_id,
        sum(billing.revenue_yuan) as revenue_yuan,
        sum(billing.quantity)::bigint as quantity,
        count(*) filter (where billing.revenue_yuan > 0) as account_count,
    from billing
    inner join account_cells on account_cells.account_id = billing.account_id
    group by billing.billing_month, account_cells.cell_id, billing.product_id
),

product_grain as (
    select
        'product' as grain,
        product_months.billing_month,
        cells.district,
        cells.industry,
        cells.value_class,
        null::integer as opened_year,
        products.area::varchar as area,
        product_months.product_id,
        product_months.revenue_yuan,
        product_months.quantity,
        product_months.account_count,
    from product_months
    inner join cells on cells.cell_id = product_months.cell_id
    inner join products on products.product_id = product_months.product_id
),

-- The account-month table already holds each account's revenue per area: summing it is a
-- fifth of the rows of billing.
cell_months as (
    select
        activity.billing_month,
        account_cells.cell_id,
        account_cells.opened_year,
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
    inner join account_cells on account_cells.account_id = activity.account_id
    group by activity.billing_month, account_cells.cell_id, account_cells.opened_year
    having count(activity.revenue_yuan) > 0
),

account_grain as (
    select
        'account' as grain,
        cell_months.billing_month,
        cells.district,
        cells.industry,
        cells.value_class,
        cell_months.opened_year,
        null::varchar as area,
        null::varchar as product_id,
        cell_months.revenue_yuan,
        null::bigint as quantity,
        cell_months.account_count,
    from cell_months
    inner join cells on cells.cell_id = cell_months.cell_id
),

area_cells as (
    unpivot (
        select
            billing_month,
            cell_id,
            sum(revenue_basic_comm) as revenue_basic_comm,
            sum(revenue_mobile_office) as revenue_mobile_office,
            sum(revenue_production_control) as revenue_production_control,
            sum(revenue_service_marketing) as revenue_service_marketing,
            sum(accounts_basic_comm) as accounts_basic_comm,
            sum(accounts_mobile_office) as accounts_mobile_office,
            sum(accounts_production_control) as accounts_production_control,
            sum(accounts_service_marketing) as accounts_service_marketing,
        from cell_months
        group by billing_month, cell_id
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
        area_cells.billing_month,
        cells.district,
        cells.industry,
        cells.value_class,
        null::integer as opened_year,
        area_cells.area,
        null::varchar as product_id,
        area_cells.revenue_yuan,
        null::bigint as quantity,
        area_cells.account_count::bigint as account_count,
    from area_cells
    inner join cells on cells.cell_id = area_cells.cell_id
    where area_cells.revenue_yuan is not null
),

final as (
    select * from product_grain
    union all by name
    select * from area_grain
    union all by name
    select * from account_grain
)

select * from final
