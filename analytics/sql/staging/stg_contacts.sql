-- materialized: view
select
    contact_id,
    account_id,
    contact_name,
    phone,
    role::varchar as role,
    department,
    title,
    carrier::varchar as carrier,
from contacts
