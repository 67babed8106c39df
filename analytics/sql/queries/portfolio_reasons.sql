-- The churn reasons of the listed accounts (`account_ids`, a few hundred at most) in the selected
-- month, strongest first, each with the account's own value of the reason's feature from the
-- feature mart (as text; null when the mart has no such column) so that it can be worded in
-- another language.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

reasons as (
    select * from score_reasons
),

features as (
    select * from mart_account_features
),

listed as (
    select account_id
    from accounts
    where list_contains($account_ids::varchar[], account_id)
),

listed_features as (
    select
        features.account_id,
        to_json(features) as feature_values,
    from features
    inner join listed on listed.account_id = features.account_id
    where features.billing_month = $month::date
),

final as (
    select
        reasons.account_id,
        reasons.rank,
        reasons.feature,
        reasons.reason,
        listed_features.feature_values ->> reasons.feature as feature_value,
    from reasons
    inner join listed on listed.account_id = reasons.account_id
    left join listed_features on listed_features.account_id = reasons.account_id
    where reasons.as_of_month = $month::date
)

select * from final
order by account_id, rank
