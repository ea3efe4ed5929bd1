select
    least(source_records, 6) as records,
    count(*) as customers
from crm.customer_history
where as_of_date = $as_of
group by 1
order by 1
