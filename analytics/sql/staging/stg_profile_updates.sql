-- materialized: view
select
    update_id,
    account_id,
    kind::varchar as kind,
    updated_at,
    updated_by,
from profile_updates
