-- The night's product-holding figures: customers carried from the previous night, customers, mean
-- products held, customers with a next product.
select
    (select count(*) from holding_carried) as carried,
    count(*) as customers,
    avg(n_products) as avg_products,
    count(next_product) as with_next
from marts.product_holding
where as_of_date = $as_of
