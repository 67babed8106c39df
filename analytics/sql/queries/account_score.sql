-- An account's scores in $month: churn probability, revenue at risk, propensity and expected
-- value per area (no row when the account was not scored).
with scores as (
    select * from scores
    where account_id = $account_id
        and as_of_month = $month
),

final as (
    select
        churn_probability,
        revenue_12m_yuan,
        revenue_at_risk_yuan,
        propensity_basic_comm,
        opportunity_value_basic_comm_yuan,
        propensity_mobile_office,
        opportunity_value_mobile_office_yuan,
        propensity_production_control,
        opportunity_value_production_control_yuan,
        propensity_service_marketing,
        opportunity_value_service_marketing_yuan,
        opportunity_value_yuan,
    from scores
)

select * from final
