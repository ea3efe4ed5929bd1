-- Tonight's score rows, their mean probability and expected churners, for the step's metadata.
select
    count(*) as customers,
    coalesce(avg(churn_probability), 0) as mean_probability,
    coalesce(sum(churn_probability), 0) as expected_churners
from marts.churn_risk_history
where as_of_date = $as_of
