-- Customers per product offered first on the report date, with the mean propensity of those offers.
select
    product,
    count(*) as customers,
    avg(propensity) as mean_propensity
from crm.next_best_product_history
where as_of_date = $as_of and rank = 1
group by product
order by customers desc
