-- The tables of one schema of one attached database.
select table_name from duckdb_tables()
where database_name = $database and schema_name = $schema
