-- materialized: table
-- grain: phrase, product_id
-- For each business-scope item shared by at least two accounts billed in the last month, and each
-- product some of them used that month: how many of the item's billed accounts used it
-- (peer_share) beside the share of all billed accounts (base_share). What an account's scope
-- suggests (analytics/models/scope/findings.py) is read from here.
with items as (
    select * from int_account_scope_items
),

billing as (
    select * from stg_billing_monthly
),

last_month as (
    select max(billing_month) as billing_month from billing
),

held as (
    select distinct
        billing.account_id,
        billing.product_id,
    from billing
    inner join last_month using (billing_month)
    where billing.revenue_yuan > 0
),

billed as (
    select distinct account_id from held
),

peers as (
    select
        items.phrase,
        items.account_id,
    from items
    inner join billed using (account_id)
),

phrase_accounts as (
    select
        phrase,
        count(*) as accounts,
    from peers
    group by phrase
    having count(*) >= 2
),

holders as (
    select
        peers.phrase,
        held.product_id,
        count(*) as holders,
    from peers
    inner join phrase_accounts using (phrase)
    inner join held using (account_id)
    group by peers.phrase, held.product_id
),

base as (
    select
        product_id,
        count(*) / (select count(*) from billed) as base_share,
    from held
    group by product_id
),

final as (
    select
        holders.phrase,
        holders.product_id,
        last_month.billing_month,
        phrase_accounts.accounts,
        holders.holders,
        holders.holders / phrase_accounts.accounts as peer_share,
        base.base_share,
    from holders
    inner join phrase_accounts using (phrase)
    inner join base using (product_id)
    cross join last_month
)

select * from final
