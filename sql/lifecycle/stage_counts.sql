-- Customers per lifecycle stage in the version of night as_of.
select
    stage,
    count(*) as customers
from marts.customer_lifecycle_history
where as_of_date = $as_of
group by stage
