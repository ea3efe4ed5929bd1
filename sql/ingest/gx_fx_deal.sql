-- Tonight's staging.fx_deal rows, sampled for great-expectations.
select * exclude (delivery_date)
from staging.fx_deal
where delivery_date = $business_date
using sample reservoir(200000 rows) repeatable (42)
