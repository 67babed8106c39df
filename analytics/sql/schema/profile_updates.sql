create table profile_updates (
    update_id varchar primary key,
    account_id varchar not null,
    kind profile_kind not null,
    updated_at timestamp not null,
    updated_by varchar not null
);
