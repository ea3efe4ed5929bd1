-- The customer map as the evaluation reads it.
select
    system,
    source_key,
    customer_id
from identity.customer_map
