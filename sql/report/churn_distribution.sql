-- Customers per 5-point bucket of churn probability, and per risk band.
select
    least(floor(churn_probability * 20), 19) / 20 as bucket,
    count(*) as customers
from crm.churn_risk_history
where as_of_date = $as_of
group by 1
order by 1
