-- Keys of the feature mart are unique and not null.
select account_id, billing_month, count(*) as row_count
from mart_account_features
group by account_id, billing_month
having count(*) > 1 or account_id is null or billing_month is null
