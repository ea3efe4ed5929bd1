-- Products held and the next_product rule of night as_of, per customer (the rule the model is judged against).
select
    customer_id,
    products,
    next_product
from marts.product_holding
where as_of_date = $as_of
