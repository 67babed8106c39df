-- Demo only: each account's latent need per area (standard normal, fixed for the account), the
-- trait behind its holdings, its interviews, its business scope and its adoption; what the scope
-- model is judged against.
create table truth_needs (
    account_id varchar not null,
    area area not null,
    latent_need real not null
);
