-- Tonight's staging.deposit_balance rows, sampled for great-expectations.
select * exclude (delivery_date)
from staging.deposit_balance
where delivery_date = $business_date
using sample reservoir(200000 rows) repeatable (42)
