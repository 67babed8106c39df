-- How the scoped accounts of the selected month spread over bands of churn probability: band n
-- holds the probabilities from the n-th edge of `band_edges` (ascending, first 0) to the next.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

scores as (
    select * from scores
),

banded as (
    select
        len(list_filter($band_edges::double[], lambda edge: edge <= scores.churn_probability)) as band,
        scores.revenue_at_risk_yuan,
    from scores
    inner join accounts on accounts.account_id = scores.account_id
    where scores.as_of_month = $month::date
),

final as (
    select
        band,
        count(*) as account_count,
        coalesce(sum(revenue_at_risk_yuan), 0) as revenue_at_risk_yuan,
    from banded
    group by band
)

select * from final
order by band
