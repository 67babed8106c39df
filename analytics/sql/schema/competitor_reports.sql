create table competitor_reports (
    report_id varchar primary key,
    manager_id varchar not null,
    account_id varchar,
    competitor competitor not null,
    kind report_kind not null,
    observed_at timestamp not null,
    reported_at timestamp not null,
    description varchar not null,
    check (reported_at >= observed_at)
);
