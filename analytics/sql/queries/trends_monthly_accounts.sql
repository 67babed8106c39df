-- The figures of trends_monthly at the area and account grains, read from the account-month
-- feature mart and the filtered accounts themselves: for the filters the revenue summary cannot
-- express (account managers, the user's scope). A fifth of the rows of billing.
with scoped as (
    select * from scoped_accounts($districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[], $scope_managers::varchar[])
),

features as (
    select
        account_id,
        billing_month,
        revenue_yuan,
        revenue_basic_comm_yuan as basic_comm,
        revenue_mobile_office_yuan as mobile_office,
        revenue_production_control_yuan as production_control,
        revenue_service_marketing_yuan as service_marketing,
    from mart_account_features
),

account_months as (
    select
        features.*,
        scoped.district,
        scoped.industry,
        scoped.value_class,
        year(scoped.opened_on)::varchar as opened_year,
    from features
    inner join scoped on scoped.account_id = features.account_id
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
