-- Rows of a published table.
select count(*) as row_count from ${relation}
