-- GOLD customers most likely to leave in the next 90 days, with what drives their risk.
select
    r.customer_id,
    c.name,
    c.city,
    round(r.churn_probability, 3) as churn_probability,
    r.risk_band,
    r.driver_1,
    r.driver_2,
    r.driver_3,
    round(v.contribution_12m, 2) as contribution_12m_cny
from crm.churn_risk as r
join crm.value_tier as v using (customer_id)
join crm.customer as c using (customer_id)
where v.tier = 'GOLD'
order by r.churn_probability desc
limit 100;
