-- Edges of the exact rule in the groups holding a dirty record. Runs on DuckDB and Spark.
select
    anchor as uid_l,
    uid as uid_r
from anchors
where uid <> anchor and anchor in (select uid from dirty_anchors)
