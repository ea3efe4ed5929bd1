-- Rows (customer x product not held) of night as_of.
select count(*) from marts.next_best_product_history
where as_of_date = $as_of
