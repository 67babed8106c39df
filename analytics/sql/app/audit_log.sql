-- The audit trail: who viewed, exported, changed, retrained or refreshed what, and when.
create sequence if not exists audit_log_seq;
create table if not exists audit_log (
    event_id bigint primary key default nextval('audit_log_seq'),
    occurred_at timestamp not null,
    username varchar not null,
    role varchar,
    action varchar not null check (action in (
        'sign_in', 'sign_in_failed', 'locked_out', 'sign_out', 'view', 'export', 'change', 'retrain', 'refresh',
        'admin'
    )),
    object varchar not null,
    detail varchar
);
