select
    risk_band,
    count(*) as customers,
    avg(churn_probability) as mean_probability
from crm.churn_risk_history
where as_of_date = $as_of
group by 1
order by 3 desc
