-- One delivered file (its line-numbered UTF-8 copy written by models/ingest/scan.py), all VARCHAR.
-- Empty and "" fields read as NULL (EXTRACTS.md: empty field = null). Strict RFC 4180 parsing;
-- any record DuckDB still rejects lands in the rejects table and is quarantined by the caller.
create or replace temp table raw_file as
select *
from read_csv(
    $path,
    columns = $columns,
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    escape = '"',
    null_padding = false,
    strict_mode = true,
    max_line_size = 8000000,  -- above scan.py's MAX_RECORD_CHARS in UTF-8 bytes, with the __line prefix
    store_rejects = true,
    rejects_table = 'raw_rejects',
    rejects_scan = 'raw_reject_scans'
);
