-- Tonight's rows of one activity table (${table}: staging.card_txn, ...), sampled for great-expectations.
-- The sample is of tonight's rows: DuckDB samples a FROM before its WHERE, so a filter beside the sample
-- would check a sample of the whole table's rows that happened to be tonight's.
select * exclude (delivery_date)
from (
    select * from ${table}
    where delivery_date = $business_date
)
using sample reservoir (200000 rows) repeatable (42)
