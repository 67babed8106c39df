-- materialized: view
select
    manager_id,
    manager_name,
    district,
    team,
from managers
