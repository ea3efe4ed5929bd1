-- Tonight's staging.card_txn rows, sampled for great-expectations.
select * exclude (delivery_date)
from staging.card_txn
where delivery_date = $business_date
using sample reservoir(200000 rows) repeatable (42)
