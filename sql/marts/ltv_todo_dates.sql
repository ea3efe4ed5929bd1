-- The customers whose lifetime value is computed tonight, with the date it is computed as of.
select
    customer_id,
    computed_as_of
from ltv_todo
order by customer_id
