-- Tonight's rows of one activity table (${table}: staging.card_txn, ...), sampled for great-expectations.
select * exclude (delivery_date)
from ${table}
where delivery_date = $business_date
using sample reservoir (200000 rows) repeatable (42)
