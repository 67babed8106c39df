-- 项目协同人员: who works on a project beside its account manager — the industry manager (行业经理)
-- and the solution team (解决方案经理, 售前工程师, 实施工程师): a name and a role each.
create table if not exists project_collaborators (
    collaborator_id varchar primary key,
    project_id varchar not null,
    person_name varchar not null,
    role varchar not null,
    added_at timestamp not null,
    added_by varchar not null
);
