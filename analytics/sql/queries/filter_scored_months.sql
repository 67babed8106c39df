select distinct as_of_month
from scores
order by as_of_month desc
