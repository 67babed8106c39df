-- materialized: table
-- grain: account_id, phrase
-- The items of each account's registered business scope (经营范围), split as
-- analytics/models/scope/text.py splits them: brackets and the 一般项目 / 许可项目 headings
-- dropped, then split on ；;、，,。 and white space, items of 2+ characters. Split once here, so
-- that an account's findings (queries/scope_findings.sql) are a lookup, not a scan of every scope.
with accounts as (
    select * from stg_accounts
),

split as (
    select
        account_id,
        unnest(string_split_regex(
            regexp_replace(
                regexp_replace(
                    regexp_replace(business_scope, '[（(][^（）()]*[）)]', '', 'g'),
                    '[（(][^（）()]*[）)]', '', 'g'
                ),
                '(一般项目|许可项目|经营范围)[:：]', '；', 'g'
            ),
            '[；;、，,。\s]+'
        )) as item,
    from accounts
    where business_scope is not null
),

final as (
    select distinct
        account_id,
        trim(item) as phrase,
    from split
    where length(trim(item)) >= 2
)

select * from final
