-- 信息化项目: a signed opportunity of a solution (解决方案, 移动办公) or an industry application
-- (行业应用, 生产控制) followed as a project (analytics/views/projects). One project per
-- opportunity (`opportunity_id` unique: two sessions making the same project cannot both commit);
-- `version` grows with every change of the project, its milestones or its collaborators, so that
-- a write made on a stale copy is refused instead of overwriting.
create table if not exists projects (
    project_id varchar primary key,
    opportunity_id varchar not null unique,
    account_id varchar not null,
    kind varchar not null,
    project_name varchar not null,
    created_at timestamp not null,
    created_by varchar not null,
    updated_at timestamp not null,
    version integer not null default 1,
    check (updated_at >= created_at)
);
