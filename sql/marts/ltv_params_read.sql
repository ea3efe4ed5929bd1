-- One fitted set of the lifetime value's population parameters.
select
    kind,
    name,
    value
from marts.ltv_params
where fitted_on = $fitted_on
order by kind, name
