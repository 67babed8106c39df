select distinct billing_month
from stg_billing_monthly
order by billing_month desc
