select
    system,
    file,
    kind,
    rows_read,
    rows_staged,
    rows_quarantined
from crm.data_quality_history
where as_of_date = $as_of
order by system, file
