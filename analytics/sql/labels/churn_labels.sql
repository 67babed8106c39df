-- materialized: query
-- grain: account_id, as_of_month
-- Churn (SPEC §2) as of the end of each month: an account in service at the as-of month churns
-- when, at the end of the window, it has closed (离网, no bill) or bills at most
-- $remaining_share of its trailing 6-month average — having fallen by ≥ 70% and stayed there.
-- Only as-of months whose window is complete in the data get a label.
with features as (
    select * from mart_account_features
),

last_month as (
    select max(billing_month) as last_month from features
),

population as (
    select
        account_id,
        billing_month as as_of_month,
        revenue_avg_6m_yuan,
        revenue_12m_yuan,
    from features
    where revenue_avg_6m_yuan > 0
        and revenue_yuan > $remaining_share * revenue_avg_6m_yuan
        and months_of_history >= 3
        -- the same hash sample of accounts as the training features (all when keep = total)
        and hash(account_id) % $sample_total < $sample_keep
),

final as (
    select
        population.account_id,
        population.as_of_month,
        (population.as_of_month + to_months($window_months))::date <= last_month.last_month as is_complete,
        coalesce(window_end.revenue_yuan, 0) <= $remaining_share * population.revenue_avg_6m_yuan as is_churn,
        population.revenue_12m_yuan,
    from population
    cross join last_month
    left join features as window_end
        on window_end.account_id = population.account_id
        and window_end.billing_month = (population.as_of_month + to_months($window_months))::date
)

select * from final
