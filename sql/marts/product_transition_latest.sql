-- The night of the latest next-product fit usable on as_of (fitted on or before it); NULL when none.
select max(fitted_on) from marts.product_transition
where fitted_on <= $as_of
