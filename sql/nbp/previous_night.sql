-- The last night before as_of with next-best-product scores (the night tonight carries from).
select max(as_of_date)::date from marts.next_best_product_history
where as_of_date < $as_of
