-- materialized: view
select
    account_id,
    account_name,
    industry::varchar as industry,
    district,
    value_class::varchar as value_class,
    is_key_account,
    manager_id,
    employee_count,
    case
        when employee_count < 50 then 0
        when employee_count < 200 then 1
        when employee_count < 1000 then 2
        else 3
    end as size_band,
    ownership::varchar as ownership,
    opened_on,
    agreement_expires_on,
    agreement_months,
    status::varchar as status,
    closed_on,
    business_scope,
from accounts
