-- Competitor reports (市场竞争信息) filed about an account in the 12 months up to the end of
-- $month, newest first.
with reports as (
    select * from stg_competitor_reports
    where account_id = $account_id
        and reported_month <= $month
        and reported_month > $month - interval 12 month
),

final as (
    select
        reported_at,
        competitor,
        kind,
        description,
    from reports
    order by reported_at desc
)

select * from final
