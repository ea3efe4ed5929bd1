-- ASOF joins of the churn features and labels as hash joins: DuckDB picks a nested loop over the whole
-- balance table when it estimates the probe side under 64 rows, which it does for the points of a
-- temp table (a 400-person bank's training snapshots took 13.7 s instead of 1.9 s). For this connection.
set asof_loop_join_threshold = 0;
