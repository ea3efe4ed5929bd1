-- Per loan product ('*': all products) the share of early-ended contracts written off, from the population
-- parameters fitted on fitted_on (read by sql/marts/ltv_loans.sql).
create or replace temp table ltv_write_off as
select
    name as product,
    value as share
from marts.ltv_params
where fitted_on = $fitted_on and kind = 'write_off';
