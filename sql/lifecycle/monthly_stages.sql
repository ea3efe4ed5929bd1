-- Every customer's stage at every month-end (for the evaluation against the generator's truth).
select
    customer_id,
    month,
    stage
from marts.customer_lifecycle_monthly
