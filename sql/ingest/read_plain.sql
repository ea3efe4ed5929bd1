-- A plain delivered file (models/ingest/scan.py survey_file: no quote, CR, NUL or blank line) read by
-- DuckDB as delivered, all VARCHAR, without a line-numbered copy: each physical line is one record,
-- so __line is the record's place in the file (header = line 1). Records with a wrong field count
-- go to raw_rejects; models/ingest/load.py adds their lines back (sql/ingest/line_gaps.sql). A view,
-- so the parse reads the file once; variables because a view cannot take parameters.
set variable ingest_path = $path;
set variable ingest_columns = $columns;
create or replace temp view raw_file as
select
    row_number() over () + 1 as __line,
    *
from read_csv(
    getvariable('ingest_path'),
    columns = getvariable('ingest_columns'),
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    escape = '"',
    null_padding = false,
    strict_mode = true,
    max_line_size = 131072,  -- scan.py's MAX_FIELD_CHARS: a longer line may hold a field too long
    store_rejects = true,
    rejects_table = 'raw_rejects',
    rejects_scan = 'raw_reject_scans',
    rejects_line_size_limit = 131072
);
