-- Outputs not computed on the date (too little history), with the reason.
select
    output,
    status,
    reason
from crm.output_status
where as_of_date = $as_of and status <> 'OK'
order by output
