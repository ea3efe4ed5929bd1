-- The last night before as_of with product holdings.
select max(as_of_date) from marts.product_holding
where as_of_date < $as_of
