-- The next-best-product scores of night as_of: each customer's products in rank order.
select
    customer_id,
    product,
    rank,
    model_version
from marts.next_best_product_history
where as_of_date = $as_of
