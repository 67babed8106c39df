-- Grain: account × month; key unique as in billing_monthly (see there why it is not declared).
create table members_monthly (
    account_id varchar not null,
    billing_month date not null,
    member_count integer not null check (member_count >= 0),
    joined_count integer not null check (joined_count >= 0),
    left_group_count integer not null check (left_group_count >= 0),
    left_network_count integer not null check (left_network_count >= 0),
    check (billing_month = date_trunc('month', billing_month))
);
