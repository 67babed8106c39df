-- One project's collaborators, within the user's reach (`$scope_managers`, null: all).
with collaborators as (
    select * from project_collaborators where project_id = $project_id
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
        collaborators.collaborator_id,
        collaborators.person_name,
        collaborators.role,
        collaborators.added_at,
        collaborators.added_by,
    from collaborators
    inner join reach on reach.project_id = collaborators.project_id
)

select * from final
order by role, person_name
