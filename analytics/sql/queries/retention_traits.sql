-- The listed accounts' (`account_ids`, already scoped by the caller) traits in the scoring month
-- `score_month` that the retention action kinds act on (analytics.models.uplift.estimator's
-- KIND_MODERATORS): what a recommendation's reasons are worded from.
with features as (
    select * from mart_account_features
),

final as (
    select
        account_id,
        value_class,
        is_key_account,
        complaints_3m,
        urgent_reports_2m,
        revenue_trend_3m,
        product_count,
        months_to_agreement_end,
    from features
    where billing_month = $score_month::date
        and list_contains($account_ids::varchar[], account_id)
)

select * from final
order by account_id
