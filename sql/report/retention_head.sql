-- The head of the retention list on the report date (crm.retention_priority: whom to call first).
select * exclude (as_of_date)
from crm.retention_priority_history
where as_of_date = $as_of
order by rank
limit 15
