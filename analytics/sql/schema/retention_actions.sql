-- Written by the app (SPEC §3); the importer leaves it alone.
create table retention_actions (
    action_id varchar primary key,
    account_id varchar not null,
    owner_id varchar not null,
    action varchar not null,
    status action_status not null,
    outcome action_outcome,
    created_at timestamp not null,
    due_on date,
    completed_at timestamp,
    action_kind action_kind,  -- null on rows recorded before the kinds existed
    check (completed_at is null or completed_at >= created_at)
);
