-- Tables, views and columns of schema crm without a comment (should be none).
select table_name as object_name from duckdb_tables()
where schema_name = 'crm' and comment is null
union all
select view_name as object_name from duckdb_views()
where schema_name = 'crm' and comment is null
union all
select table_name || '.' || column_name as object_name from duckdb_columns()
where schema_name = 'crm' and comment is null
