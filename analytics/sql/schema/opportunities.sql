-- 商机: an opportunity of one account, written by the app (analytics/views/pipeline). Its stage is
-- one of the rules file's `[opportunities]` stages (configurable, so no enum); `version` grows by
-- one with every change, so that a write made on a stale copy is refused instead of overwriting.
-- `open_key` ("account_id|area" while open, null once closed) is unique: two sessions opening the
-- same account's area at once cannot both commit.
create table if not exists opportunities (
    opportunity_id varchar primary key,
    account_id varchar not null,
    area area not null,
    product_ids varchar[] not null,
    expected_monthly_yuan decimal(14, 2) not null check (expected_monthly_yuan >= 0),
    expected_one_off_yuan decimal(14, 2) not null check (expected_one_off_yuan >= 0),
    expected_close_month date not null,
    owner_id varchar not null,
    stage varchar not null,
    next_step varchar,
    next_step_on date,
    lost_reason varchar,
    lost_competitor competitor,
    source varchar not null,
    created_at timestamp not null,
    updated_at timestamp not null,
    closed_at timestamp,
    version integer not null default 1,
    open_key varchar unique,
    check (updated_at >= created_at)
);
