-- Customers per lifecycle stage at every month-end (the latest night's judgement of the history).
select
    month,
    stage,
    count(*) as customers
from crm.customer_lifecycle_monthly
where month <= $as_of
group by all
order by month, stage
