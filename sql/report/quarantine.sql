select
    system,
    file,
    field,
    reason,
    action,
    rows_quarantined
from crm.quarantine_reason_history
where as_of_date = $as_of
order by rows_quarantined desc
limit 30
