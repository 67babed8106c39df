create table interactions (
    interaction_id varchar primary key,
    account_id varchar not null,
    manager_id varchar not null,
    occurred_at timestamp not null,
    channel channel not null,
    contact_role contact_role not null,
    notes varchar not null,
    needs_found area[] not null
);
