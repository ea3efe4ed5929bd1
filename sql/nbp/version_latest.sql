-- The last trained next-best-product model version.
select * from marts.next_best_product_model
order by trained_at desc
limit 1
