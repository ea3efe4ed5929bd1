-- Edges of the exact rule: anchor -> every other member of its group. Runs on DuckDB and Spark.
select
    anchor as uid_l,
    uid as uid_r
from anchors
where uid <> anchor
