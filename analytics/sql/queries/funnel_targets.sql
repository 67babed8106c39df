-- 签约目标 within reach: the targets of the districts the user reaches (`$scope_managers`: null,
-- every district; else the districts of those managers) and the sidebar leaves (`$districts`,
-- empty: all), a manager's row only for a manager in reach and in `$managers` (empty: all).
with targets as (
    select * from pipeline_targets
),

managers as (
    select manager_id, manager_name, district from managers
),

reached as (
    select distinct district from managers
    where $scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], manager_id)
),

final as (
    select
        targets.quarter,
        targets.district,
        targets.manager_id,
        managers.manager_name,
        targets.target_yuan::double as target_yuan,
    from targets
    inner join reached on reached.district = targets.district
    left join managers on managers.manager_id = targets.manager_id
    where (len($districts::varchar[]) = 0 or list_contains($districts::varchar[], targets.district))
        and (
            targets.manager_id is null
            or (
                ($scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], targets.manager_id))
                and (len($managers::varchar[]) = 0 or list_contains($managers::varchar[], targets.manager_id))
            )
        )
)

select * from final
order by quarter, district, manager_id nulls first
