-- For one account ($account_id): each item of its business scope shared by at least
-- $min_accounts accounts billed in the last month, and per product the share of those accounts
-- that used it that month (peer_share) beside the share of all billed accounts (base_share).
-- Items are split as analytics/models/scope/text.py splits them: brackets and the 一般项目 /
-- 许可项目 headings dropped, then split on ；;、，,。 and white space, items of 2+ characters.
with last as (select max(billing_month) as month from stg_billing_monthly),
held as (
    select distinct b.account_id, b.product_id
    from stg_billing_monthly b cross join last
    where b.billing_month = last.month and b.revenue_yuan > 0
),
billed as (select distinct account_id from held),
own as (
    select distinct trim(item) as phrase
    from (select unnest(string_split_regex(
            regexp_replace(
                regexp_replace(
                    regexp_replace(business_scope, '[（(][^（）()]*[）)]', '', 'g'),
                    '[（(][^（）()]*[）)]', '', 'g'
                ),
                '(一般项目|许可项目|经营范围)[:：]', '；', 'g'
            ),
            '[；;、，,。\s]+'
        )) as item from stg_accounts where account_id = $account_id)
    where length(trim(item)) >= 2
),
-- Only the scopes holding one of the account's items as text are split (a province's scopes
-- are many): the split then keeps the exact items.
candidates as (
    select a.account_id, a.business_scope
    from stg_accounts a
    where a.business_scope is not null and exists (select 1 from own o where contains(a.business_scope, o.phrase))
),
split as (select account_id, unnest(string_split_regex(
            regexp_replace(
                regexp_replace(
                    regexp_replace(business_scope, '[（(][^（）()]*[）)]', '', 'g'),
                    '[（(][^（）()]*[）)]', '', 'g'
                ),
                '(一般项目|许可项目|经营范围)[:：]', '；', 'g'
            ),
            '[；;、，,。\s]+'
        )) as item from candidates),
items as (
    select distinct account_id, trim(item) as phrase
    from split
    where length(trim(item)) >= 2
),
mine as (select phrase from own),
peers as (
    select i.account_id, i.phrase
    from items i
    join mine using (phrase)
    join billed using (account_id)
),
phrase_accounts as (select phrase, count(*) as accounts from peers group by all),
per_product as (
    select p.phrase, h.product_id, count(*) as holders
    from peers p join held h using (account_id)
    group by all
),
base as (
    select product_id, count(*) / (select count(*) from billed) as base_share
    from held group by all
)
select
    pp.phrase,
    pr.area,
    pp.product_id,
    pr.product_name,
    pp.holders / n.accounts as peer_share,
    b.base_share,
    n.accounts,
    exists (select 1 from held x where x.account_id = $account_id and x.product_id = pp.product_id) as held,
from per_product pp
join phrase_accounts n using (phrase)
join base b using (product_id)
join stg_products pr using (product_id)
where n.accounts >= $min_accounts
order by pp.phrase, pp.product_id
