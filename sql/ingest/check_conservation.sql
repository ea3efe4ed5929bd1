-- Per file of one system's delivery: file, rows in control, staged, quarantined, read, re-sent.
select
    file,
    rows_control,
    rows_staged,
    rows_quarantined,
    rows_read,
    coalesce(rows_resent, 0) as rows_resent
from ingest.delivery_log
where system = $system and business_date = $business_date
order by file
