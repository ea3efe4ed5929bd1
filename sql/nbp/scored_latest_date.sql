-- The last night with next-best-product scores.
select max(as_of_date) as as_of_date from marts.next_best_product_history
