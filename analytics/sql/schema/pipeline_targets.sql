-- 签约目标: the signed value (yuan, first year: monthly × 12 + one-off) a district is to sign in a
-- quarter (`quarter` its first day), and each manager's share of it (`manager_id` null: the
-- district's own target). The heads' pipeline view sets the forecast against these.
create table if not exists pipeline_targets (
    quarter date not null check (quarter = date_trunc('quarter', quarter)),
    district varchar not null,
    manager_id varchar,
    target_yuan decimal(14, 2) not null check (target_yuan >= 0),
    unique (quarter, district, manager_id)
);
