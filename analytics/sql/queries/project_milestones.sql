-- One project's milestones in their order (`$milestones`), within the user's reach
-- (`$scope_managers`, null: all; none when out of reach).
with milestones as (
    select * from project_milestones where project_id = $project_id
),

reach as (
    select projects.project_id
    from projects
    inner join accounts on accounts.account_id = projects.account_id
    where projects.project_id = $project_id
        and ($scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], accounts.manager_id))
),

final as (
    select
        milestones.milestone,
        milestones.planned_on,
        milestones.actual_on,
        milestones.updated_at,
        milestones.updated_by,
    from milestones
    inner join reach on reach.project_id = milestones.project_id
)

select * from final
order by list_position($milestones::varchar[], milestone)
