-- Who may sign in, in which role, and over which accounts (written by the app and `needsmine users`).
-- role: manager (their own accounts) · head (their district; all when district is null) ·
-- analyst (aggregates and models, no personal data) · data_steward (imports the month's exports: the
-- import page and the data overview, no customer details) · admin (users, retraining, audit trail).
-- A warehouse made before a role was added gets its constraint rebuilt (audit.ensure_tables).
-- failed_attempts: refused sign-ins since the last good one (or an unlock), counted in one UPDATE;
-- session_epoch: raised whenever the user's sessions must end (password, role or scope set again,
-- made inactive or active, an admin's "end sessions"); a session is live only while its epoch is this one.
create table if not exists app_users (
    username varchar primary key,
    display_name varchar not null,
    role varchar not null check (role in ('manager', 'head', 'analyst', 'data_steward', 'admin')),
    manager_id varchar,
    district varchar,
    password_hash varchar,
    failed_attempts integer not null default 0,
    locked_until timestamp,
    is_active boolean not null default true,
    created_at timestamp not null,
    check (role != 'manager' or manager_id is not null)
);
-- Warehouses made before sessions could be revoked (issue 14).
alter table app_users add column if not exists session_epoch integer default 0;
