-- 商机: the opportunities on accounts within the user's reach (`$scope_managers`: null means
-- every account), of one account (`$account_id`, or null for all) and only the open ones when
-- `$open_only` (open: a stage other than the rules' `$closed` two); with the account, the owner,
-- the products' names, since when the stage holds and how many proposals were sent. Next step
-- due first, then the latest.
with opportunities as (
    select * from opportunities
),

accounts as (
    select account_id, account_name, manager_id from accounts
),

owners as (
    select manager_id, manager_name from managers
),

products as (
    select product_id, product_name from products
),

entered as (
    select opportunity_id, max(changed_at) as stage_since
    from opportunity_stage_changes
    group by opportunity_id
),

sent as (
    select opportunity_id, count(*) as proposal_count, max(sent_at) as last_proposal_at
    from opportunity_proposals
    group by opportunity_id
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
        opportunities.product_ids,
        coalesce(named.product_names, []::varchar[]) as product_names,
        opportunities.expected_monthly_yuan::double as expected_monthly_yuan,
        opportunities.expected_one_off_yuan::double as expected_one_off_yuan,
        opportunities.expected_close_month,
        opportunities.owner_id,
        owners.manager_name as owner_name,
        opportunities.stage,
        opportunities.next_step,
        opportunities.next_step_on,
        opportunities.lost_reason,
        opportunities.lost_competitor::varchar as lost_competitor,
        opportunities.source,
        opportunities.created_at,
        opportunities.updated_at,
        opportunities.closed_at,
        coalesce(entered.stage_since, opportunities.created_at) as stage_since,
        coalesce(sent.proposal_count, 0) as proposal_count,
        sent.last_proposal_at,
        opportunities.version,
    from opportunities
    inner join accounts on accounts.account_id = opportunities.account_id
    left join owners on owners.manager_id = opportunities.owner_id
    left join entered on entered.opportunity_id = opportunities.opportunity_id
    left join sent on sent.opportunity_id = opportunities.opportunity_id
    left join named on named.opportunity_id = opportunities.opportunity_id
    where ($scope_managers::varchar[] is null or list_contains($scope_managers::varchar[], accounts.manager_id))
        and ($account_id::varchar is null or opportunities.account_id = $account_id::varchar)
        and (not $open_only::boolean or not list_contains($closed::varchar[], opportunities.stage))
)

select * from final
order by next_step_on nulls last, updated_at desc, opportunity_id
