-- 商机阶段记录: every stage an opportunity entered (its creation too, from_stage null), when and by whom.
create table if not exists opportunity_stage_changes (
    change_id varchar primary key,
    opportunity_id varchar not null,
    from_stage varchar,
    to_stage varchar not null,
    changed_at timestamp not null,
    changed_by varchar not null
);
