select
    match_rule,
    count(*) as records
from crm.customer_source_history
where as_of_date = $as_of
group by 1
order by 2 desc
