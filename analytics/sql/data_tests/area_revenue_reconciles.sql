-- The four areas' revenue adds up to the account's revenue, month by month, and the feature
-- mart's revenue equals the bills.
with bills as (
    select account_id, billing_month, sum(revenue_yuan::double) as revenue_yuan
    from billing_monthly
    group by account_id, billing_month
)

select
    features.account_id,
    features.billing_month,
    features.revenue_yuan,
    bills.revenue_yuan as billed_revenue_yuan,
from mart_account_features as features
left join bills using (account_id, billing_month)
where abs(
        features.revenue_basic_comm_yuan + features.revenue_mobile_office_yuan
        + features.revenue_production_control_yuan + features.revenue_service_marketing_yuan
        - features.revenue_yuan
    ) > 0.01
    or abs(features.revenue_yuan - coalesce(bills.revenue_yuan, 0)) > 0.01
