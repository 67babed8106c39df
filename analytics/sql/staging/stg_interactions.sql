-- materialized: view
select
    interaction_id,
    account_id,
    manager_id,
    occurred_at,
    date_trunc('month', occurred_at)::date as occurred_month,
    channel::varchar as channel,
    contact_role::varchar as contact_role,
    notes,
    list_contains(needs_found, 'basic_comm') as has_need_basic_comm,
    list_contains(needs_found, 'mobile_office') as has_need_mobile_office,
    list_contains(needs_found, 'production_control') as has_need_production_control,
    list_contains(needs_found, 'service_marketing') as has_need_service_marketing,
from interactions
