-- Demo only: the true effect of each retention action kind (demo/mechanism.py). One row per
-- account, month (the account open, churn not started) and kind: `effect` is how much taking that
-- kind of action in the month lowers the probability that churn starts within the churn window
-- (SPEC §2) — the window probability at the hazard without any action minus that at the hazard
-- with the kind's reduction, as if the month's state persisted (≥ 0; 0 where the kind does
-- nothing for the account). `is_taken` marks the kind the account's manager took that month.
create table truth_retention_effects (
    account_id varchar not null,
    billing_month date not null,
    action_kind action_kind not null,
    effect real not null check (effect between 0 and 1),
    is_taken boolean not null
);
