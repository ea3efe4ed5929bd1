-- Tonight's party records of one system (snapshot rows seen tonight), sampled for great-expectations.
select * exclude (first_seen, last_seen)
from staging.party
where system = $system and last_seen = $business_date
using sample reservoir(200000 rows) repeatable (42)
