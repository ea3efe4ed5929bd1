-- This delivery's quarantined rows and nulled fields (new_rejected) as rows of quarantine.rejected_row.
select
    $system::varchar as system,
    $business_date::date as business_date,
    file,
    line,
    field,
    reason,
    raw_line,
    action
from new_rejected
