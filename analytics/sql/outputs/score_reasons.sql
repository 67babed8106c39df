-- Written by `needsmine score`: each account's top churn reasons with the model's contribution
-- (logit scale) behind each.
create table if not exists score_reasons (
    account_id varchar not null,
    as_of_month date not null,
    rank integer not null,
    feature varchar not null,
    contribution double not null,
    reason varchar not null
);
