-- The plain file of sql/ingest/read_plain.sql read again (raw lines of rejected rows, the file's own
-- money totals): the same records in the same order, its rejects already taken, so none stored twice.
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
    max_line_size = 131072,
    ignore_errors = true
);
