-- 待立项: the signed opportunities of the user's reach (`$scope_managers`, null: all) in a project
-- area (`$areas`) worth at least `$min_first_year_yuan` in their first year (12 × monthly +
-- one-off), signed since `$since`, that are not a project yet; the latest signed first.
with opportunities as (
    select * from opportunities
),

accounts as (
    select account_id, account_name, manager_id from accounts
),

products as (
    select product_id, product_name from products
),

named as (
    select
        opportunities.opportunity_id,
        list(products.product_name order by position) as product_names,
    from opportunities, unnest(opportunities.product_ids) with ordinality as listed(product_id, position)
    left join products on products.product_id = listed.product_id
    group by opportunities.opportunity_id
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        accounts.account_name,
        accounts.manager_id,
        opportunities.area::varchar as area,
        coalesce(named.product_names, []::varchar[]) as product_names,
        opportunities.expected_monthly_yuan::double as expected_monthly_yuan,
        opportunities.expected_one_off_yuan::double as expected_one_off_yuan,
        opportunities.closed_at as signed_at,
    from opportunities
    inner join accounts on accounts.account_id = opportunities.account_id
    left join named on named.opportunity_id = opportunities.opportunity_id
    where opportunities.stage = $won
        and list_contains($areas::varchar[], opportunities.area::varchar)
        and opportunities.expected_monthly_yuan * 12 + opportunities.expected_one_off_yuan
            >= $min_first_year_yuan::double
        and opportunities.closed_at >= $since::timestamp
        and not exists (select 1 from projects where projects.opportunity_id = opportunities.opportunity_id)
        and ($scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], accounts.manager_id))
)

select * from final
order by signed_at desc, opportunity_id
