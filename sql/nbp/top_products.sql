-- Customers per product ranked first on night as_of (the asset's metadata).
select
    product,
    count(*) as customers
from marts.next_best_product_history
where as_of_date = $as_of and rank = 1
group by product
order by customers desc, product
