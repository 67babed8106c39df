-- The one definition of an account "at risk" (风险集团 / 高风险客户, the accounts 客户挽留 is due
-- for): its calibrated churn probability in the month's scores (churn within the model's window)
-- is at least `at_risk_probability`, the rules' threshold (`retention.churn_probability_at_least`
-- in rules.toml), which every caller binds from `analytics.common.rules.at_risk_probability()`
-- (or the `Rules` it loaded). An account without a score is not at risk. Revenue at risk ranks
-- the accounts at risk; it does not make an account at risk. In Python the same test is
-- `analytics.common.rules.is_at_risk`.
create or replace macro is_at_risk(churn_probability, at_risk_probability) as
    coalesce(churn_probability >= at_risk_probability, false)
