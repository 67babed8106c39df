-- An account's interviews in the 12 months up to the end of $month, newest first, with the
-- areas whose needs the notes model read in each (and the products and competitors named).
with interactions as (
    select * from stg_interactions
    where account_id = $account_id
        and occurred_month <= $month
        and occurred_month > $month - interval 12 month
),

needs as (
    select * from interaction_needs
    where account_id = $account_id
),

managers as (
    select * from stg_managers
),

final as (
    select
        interactions.interaction_id,
        interactions.occurred_at,
        interactions.channel,
        interactions.contact_role,
        interactions.manager_id,
        managers.manager_name,
        interactions.notes,
        coalesce(needs.has_need_basic_comm, interactions.has_need_basic_comm) as has_need_basic_comm,
        coalesce(needs.has_need_mobile_office, interactions.has_need_mobile_office) as has_need_mobile_office,
        coalesce(needs.has_need_production_control, interactions.has_need_production_control) as has_need_production_control,
        coalesce(needs.has_need_service_marketing, interactions.has_need_service_marketing) as has_need_service_marketing,
        coalesce(needs.products_named, []) as products_named,
        coalesce(needs.competitors_named, []) as competitors_named,
    from interactions
    left join needs on needs.interaction_id = interactions.interaction_id
    left join managers on managers.manager_id = interactions.manager_id
    order by interactions.occurred_at desc
)

select * from final
