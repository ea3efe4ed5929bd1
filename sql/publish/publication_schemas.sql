-- The schemas of a warehouse file holding a publication table: crm in the analyst file, marts in the work file.
select schema_name from duckdb_tables()
where table_name = 'publication'
