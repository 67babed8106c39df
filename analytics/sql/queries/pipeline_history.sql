-- One opportunity's stage history (its creation first: from_stage null), oldest first (in the order
-- written, for changes of one second); empty for
-- an opportunity outside the user's reach (`$scope_managers`: null means every account).
with changes as (
    select *, rowid as written from opportunity_stage_changes where opportunity_id = $opportunity_id
),

reach as (
    select opportunities.opportunity_id
    from opportunities
    inner join accounts on accounts.account_id = opportunities.account_id
    where opportunities.opportunity_id = $opportunity_id
        and ($scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], accounts.manager_id))
),

final as (
    select changes.changed_at, changes.from_stage, changes.to_stage, changes.changed_by, changes.written
    from changes
    inner join reach on reach.opportunity_id = changes.opportunity_id
)

select * from final
order by changed_at, written
