-- Tonight's highest churn probabilities, for the step's metadata.
select
    customer_id,
    churn_probability,
    driver_1,
    driver_2
from marts.churn_risk_history
where as_of_date = $as_of
order by churn_probability desc, customer_id
limit 10
