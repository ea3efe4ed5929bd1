-- Whether this connection holds a temp table of that name.
select count(*) > 0 as present
from duckdb_tables()
where temporary and table_name = $table_name
