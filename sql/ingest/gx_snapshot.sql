-- Tonight's records of one system in a snapshot table (${table}: staging.party or staging.account; rows
-- seen tonight), sampled for great-expectations. Filtered inside, sampled outside: see gx_activity.sql.
select * exclude (first_seen, last_seen)
from (
    select * from ${table}
    where system = $system and last_seen = $business_date
)
using sample reservoir (200000 rows) repeatable (42)
