-- 项目里程碑: each project's milestones (立项, 方案评审, 合同, 实施, 验收), the planned and the actual
-- date of each (either may be unknown yet), and who set them last.
create table if not exists project_milestones (
    project_id varchar not null,
    milestone varchar not null,
    planned_on date,
    actual_on date,
    updated_at timestamp not null,
    updated_by varchar not null,
    primary key (project_id, milestone)
);
