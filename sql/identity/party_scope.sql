-- An incremental night compares only the exact-rule groups of records that share a blocking key with
-- a dirty record (`candidate_uids`). Runs on DuckDB and Spark.
select p.*
from party_in as p
join anchors as a on p.uid = a.uid
where a.anchor in (
    select anchor from anchors
    where uid in (select uid from candidate_uids)
)
