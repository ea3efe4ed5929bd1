select
    status,
    reason
from marts.output_status
where as_of_date = $as_of and output = $output
