create table complaints (
    complaint_id varchar primary key,
    account_id varchar not null,
    opened_at timestamp not null,
    category complaint_category not null,
    severity complaint_severity not null,
    resolved_at timestamp,
    check (resolved_at is null or resolved_at >= opened_at)
);
