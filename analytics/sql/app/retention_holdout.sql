-- The share of at-risk accounts deliberately left without retention action (对照组), set by heads
-- on the 客户挽留 page: one row per scope — '' for the whole department (a department head or an
-- administrator), a district's name for a district head's own district, which overrides the
-- department's there. Every change is also on the audit trail.
create table if not exists retention_holdout (
    scope varchar primary key,
    share double not null check (share >= 0 and share <= 0.5),
    changed_by varchar not null,
    changed_at timestamp not null
);
