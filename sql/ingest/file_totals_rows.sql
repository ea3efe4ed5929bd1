-- This delivery's reconciliation figures (new_file_totals) as rows of ingest.file_totals.
select
    $system::varchar as system,
    $business_date::date as business_date,
    file,
    measure,
    file_value,
    quarantined_value,
    resent_value
from new_file_totals
