-- Rows and month-ends of the monthly lifecycle stages.
select
    count(*) as monthly_rows,
    count(distinct month) as months
from marts.customer_lifecycle_monthly
