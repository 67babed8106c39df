-- Every scored account of one manager (`manager_id`) within the filters in the selected month:
-- its churn risk and top reason, its best area, its `product_count` best recommended products,
-- and a priority value (revenue at risk + opportunity value, both expected yuan a year). For each
-- product, why it is proposed (basis: named / need / peers, score_candidates.sql) and how many of
-- the account's peers hold it (mart_peer_benchmarks: the latest benchmark month on or before the
-- month, the peer group it fell back to in peer_level), so that the page can say why in words.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

recommendations as (
    select * from score_recommendations
),

benchmarks as (
    select * from mart_peer_benchmarks
),

benchmark_month as (
    select
        coalesce(max(billing_month) filter (where billing_month <= $month::date), min(billing_month))
            as billing_month,
    from benchmarks
),

peer_rates as (
    select
        benchmarks.industry,
        benchmarks.size_band,
        benchmarks.product_id,
        benchmarks.adoption_rate,
        benchmarks.peer_level,
    from benchmarks
    inner join benchmark_month on benchmark_month.billing_month = benchmarks.billing_month
),

manager_accounts as (
    select *
    from accounts
    where manager_id = $manager_id
),

month_scores as (
    select scores.*
    from scores
    inner join manager_accounts on manager_accounts.account_id = scores.account_id
    where scores.as_of_month = $month::date
),

areas as (
    select account_id, 'basic_comm' as area, propensity_basic_comm as propensity,
        opportunity_value_basic_comm_yuan as expected_value_yuan,
    from month_scores
    union all
    select account_id, 'mobile_office' as area, propensity_mobile_office as propensity,
        opportunity_value_mobile_office_yuan as expected_value_yuan,
    from month_scores
    union all
    select account_id, 'production_control' as area, propensity_production_control as propensity,
        opportunity_value_production_control_yuan as expected_value_yuan,
    from month_scores
    union all
    select account_id, 'service_marketing' as area, propensity_service_marketing as propensity,
        opportunity_value_service_marketing_yuan as expected_value_yuan,
    from month_scores
),

best_areas as (
    select
        account_id,
        area as best_area,
        propensity as best_area_propensity,
        expected_value_yuan as best_area_value_yuan,
    from areas
    qualify row_number() over (
        partition by account_id
        order by expected_value_yuan desc nulls last, propensity desc nulls last, area
    ) = 1
),

ranked_products as (
    select
        recommendations.account_id,
        recommendations.product_id,
        recommendations.product_name,
        recommendations.expected_value_yuan,
        recommendations.area,
        coalesce(recommendations.basis, 'peers') as basis,
        peer_rates.adoption_rate as peer_adoption_rate,
        peer_rates.peer_level,
        row_number() over (
            partition by recommendations.account_id
            order by recommendations.expected_value_yuan desc nulls last, recommendations.probability desc,
                recommendations.product_id
        ) as product_rank,
    from recommendations
    inner join manager_accounts on manager_accounts.account_id = recommendations.account_id
    left join peer_rates
        on peer_rates.industry = manager_accounts.industry
        and peer_rates.size_band = manager_accounts.size_band
        and peer_rates.product_id = recommendations.product_id
    where recommendations.as_of_month = $month::date
),

top_products as (
    select
        account_id,
        list(product_id order by product_rank) as product_ids,
        list(product_name order by product_rank) as product_names,
        list(expected_value_yuan order by product_rank) as product_values_yuan,
        list(area order by product_rank) as product_areas,
        list(basis order by product_rank) as product_bases,
        list(peer_adoption_rate order by product_rank) as product_peer_rates,
        list(peer_level order by product_rank) as product_peer_levels,
        sum(expected_value_yuan) as products_value_yuan,
    from ranked_products
    where product_rank <= $product_count
    group by account_id
),

final as (
    select
        month_scores.account_id,
        manager_accounts.account_name,
        manager_accounts.district,
        manager_accounts.value_class,
        month_scores.churn_probability,
        month_scores.revenue_12m_yuan,
        coalesce(month_scores.revenue_at_risk_yuan, 0) as revenue_at_risk_yuan,
        month_scores.churn_reasons[1] as top_reason,
        best_areas.best_area,
        best_areas.best_area_propensity,
        best_areas.best_area_value_yuan,
        coalesce(month_scores.opportunity_value_yuan, 0) as opportunity_value_yuan,
        top_products.product_ids,
        top_products.product_names,
        top_products.product_values_yuan,
        top_products.product_areas,
        top_products.product_bases,
        top_products.product_peer_rates,
        top_products.product_peer_levels,
        top_products.products_value_yuan,
        coalesce(month_scores.revenue_at_risk_yuan, 0)
            + coalesce(month_scores.opportunity_value_yuan, 0) as priority_value_yuan,
    from month_scores
    inner join manager_accounts on manager_accounts.account_id = month_scores.account_id
    left join best_areas on best_areas.account_id = month_scores.account_id
    left join top_products on top_products.account_id = month_scores.account_id
)

select * from final
order by priority_value_yuan desc, account_id
