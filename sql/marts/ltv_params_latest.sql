-- The night of the latest parameter fit usable on as_of (fitted on or before it).
select max(fitted_on) from marts.ltv_params
where fitted_on <= $as_of
