-- The figures of trends_monthly at the area and account grains, read from the stored account-month
-- activity (each account's revenue per month and area, a fifth of the rows of billing; the
-- revenue summary mart is built from it too) and the filtered accounts themselves: for the
-- filters the summary cannot express (account managers, the user's scope).
with scoped as (
    select * from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
),

activity as (
    select
        account_id,
        billing_month,
        revenue_yuan,
        revenue_basic_comm_yuan as basic_comm,
        revenue_mobile_office_yuan as mobile_office,
        revenue_production_control_yuan as production_control,
        revenue_service_marketing_yuan as service_marketing,
    from int_account_month_activity
),

account_months as (
    select
        activity.*,
        scoped.district,
        scoped.industry,
        scoped.value_class,
        year(scoped.opened_on)::varchar as opened_year,
    from activity
    inner join scoped on scoped.account_id = activity.account_id
),

by_area as (
    unpivot account_months
    on basic_comm, mobile_office, production_control, service_marketing
    into name area value area_revenue_yuan
),

grouped as (
    select
        billing_month,
        area as group_value,
        account_id,
        area_revenue_yuan as revenue_yuan,
    from by_area
    where $dimension::varchar = 'area'
    union all
    select
        billing_month,
        case $dimension::varchar
            when 'industry' then industry
            when 'district' then district
            when 'value_class' then value_class
            when 'opened_year' then opened_year
        end as group_value,
        account_id,
        revenue_yuan,
    from account_months
    where $dimension::varchar <> 'area'
),

final as (
    select
        billing_month,
        group_value,
        sum(revenue_yuan) as revenue_yuan,
        null::bigint as quantity,
        count(*) filter (where revenue_yuan > 0) as account_count,
    from grouped
    group by billing_month, group_value
    having count(revenue_yuan) > 0
)

select * from final
order by billing_month, group_value
