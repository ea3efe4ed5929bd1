-- Tonight's scores per risk band, for the step's metadata (read in the warehouse, not from a frame).
select
    risk_band,
    count(*) as customers,
    avg(churn_probability) as mean_probability
from marts.churn_risk_history
where as_of_date = $as_of
group by risk_band
order by risk_band
