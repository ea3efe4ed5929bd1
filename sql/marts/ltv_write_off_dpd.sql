-- Per days-past-due bucket (its lowest days past due) the roll rate to a write-off within 120 days, from
-- the population parameters fitted on fitted_on (read by sql/marts/ltv_loans.sql).
create or replace temp table ltv_write_off_dpd as
select
    name::integer as min_dpd,
    value as rate
from marts.ltv_params
where fitted_on = $fitted_on and kind = 'write_off_dpd';
