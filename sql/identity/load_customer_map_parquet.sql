-- Tonight's customer-map rows as written by a Spark run (Parquet): the DuckDB stages read this file.
create or replace temp table new_customer_map as
select * from read_parquet($path);
