-- This delivery's per-file counts (new_file_stats) as rows of ingest.delivery_log.
select
    $system::varchar as system,
    $business_date::date as business_date,
    $kind::varchar as kind,
    file,
    rows_control,
    rows_read,
    rows_staged,
    rows_quarantined,
    sha256,
    current_localtimestamp()::timestamp as loaded_at,
    fields_nulled,
    rows_resent
from new_file_stats
