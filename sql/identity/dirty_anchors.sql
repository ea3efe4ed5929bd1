-- The exact-rule groups holding a dirty record, named by their anchor. Runs on DuckDB and Spark.
select distinct anchor as uid
from anchors
where uid in (select uid from dirty_uids)
