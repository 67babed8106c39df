-- Written by `needsmine score`: one row per account in service and as-of month.
create table if not exists scores (
    account_id varchar not null,
    as_of_month date not null,
    churn_probability double not null,
    revenue_12m_yuan double,
    revenue_at_risk_yuan double,
    churn_reasons varchar[],
    propensity_basic_comm double,
    opportunity_value_basic_comm_yuan double,
    propensity_mobile_office double,
    opportunity_value_mobile_office_yuan double,
    propensity_production_control double,
    opportunity_value_production_control_yuan double,
    propensity_service_marketing double,
    opportunity_value_service_marketing_yuan double,
    opportunity_value_yuan double,
    scored_at timestamp not null
);
