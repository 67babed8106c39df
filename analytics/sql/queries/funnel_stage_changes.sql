-- The stage history of the opportunities on the scoped accounts (as funnel_opportunities.sql):
-- every stage entered, in the order entered (the order written for changes of one second), for
-- conversion from stage to stage and the time spent in each.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

changes as (
    select *, rowid as written from opportunity_stage_changes
),

final as (
    select changes.opportunity_id, changes.from_stage, changes.to_stage, changes.changed_at, changes.written
    from changes
    inner join opportunities on opportunities.opportunity_id = changes.opportunity_id
    inner join accounts on accounts.account_id = opportunities.account_id
)

select * from final
order by opportunity_id, changed_at, written
