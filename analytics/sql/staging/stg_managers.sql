-- materialized: view
select
    manager_id,
    manager_name,
    district,
    team,
    phone,
    email,
from managers
