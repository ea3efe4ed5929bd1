-- Customers with next-best-product rows on night as_of (re-scored and carried).
select count(distinct customer_id) from marts.next_best_product_history
where as_of_date = $as_of
