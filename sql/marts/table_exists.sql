-- Whether the work file has table schema.table_name (a stage's first night creates its tables).
select count(*) > 0 as present
from duckdb_tables()
where schema_name = $schema and table_name = $table_name
