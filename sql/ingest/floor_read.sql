-- The physical floor of ingestion (`crm bench ingest`): one delivered file loaded by a plain read_csv
-- into a typed table (types sniffed), no validation, rows it cannot read skipped. DuckDB reads no
-- GB18030 offline: such files are read as latin-1, a byte-for-byte decode of the same bytes.
create or replace table floor_file as
select * from read_csv($path, encoding = $encoding, strict_mode = false, ignore_errors = true);
