-- The heads' pipeline view (商机漏斗): every opportunity, open or closed, on the accounts the
-- sidebar's filters and the user's reach leave (`scoped_accounts`), with the account's district,
-- the owner (the manager the funnel, the forecast and the targets count it for), its first-year
-- value (expected monthly × 12 + one-off) and since when its stage holds.
with accounts as (
    select * from scoped_accounts(
        $districts::varchar[], $industries::varchar[], $classes::varchar[], $managers::varchar[],
        $scope_managers::varchar[]
    )
),

opportunities as (
    select * from opportunities
),

owners as (
    select manager_id, manager_name from managers
),

entered as (
    select opportunity_id, max(changed_at) as stage_since
    from opportunity_stage_changes
    group by opportunity_id
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        accounts.account_name,
        accounts.district,
        opportunities.owner_id,
        coalesce(owners.manager_name, opportunities.owner_id) as owner_name,
        opportunities.area::varchar as area,
        opportunities.stage,
        opportunities.expected_monthly_yuan::double as expected_monthly_yuan,
        opportunities.expected_one_off_yuan::double as expected_one_off_yuan,
        (opportunities.expected_monthly_yuan * 12 + opportunities.expected_one_off_yuan)::double as value_yuan,
        opportunities.expected_close_month,
        opportunities.next_step,
        opportunities.next_step_on,
        opportunities.lost_reason,
        opportunities.lost_competitor::varchar as lost_competitor,
        opportunities.created_at,
        opportunities.closed_at,
        coalesce(entered.stage_since, opportunities.created_at) as stage_since,
    from opportunities
    inner join accounts on accounts.account_id = opportunities.account_id
    left join owners on owners.manager_id = opportunities.owner_id
    left join entered on entered.opportunity_id = opportunities.opportunity_id
)

select * from final
order by district, owner_id, opportunity_id
