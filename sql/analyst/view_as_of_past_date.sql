-- Time travel: tiers, churn risk and value as they were published on a past business date.
-- First: SET VARIABLE as_of = DATE '<YYYY-MM-DD>'; (any date in crm.publication)
select
    v.as_of_date,
    v.tier,
    count(*) as customers,
    round(sum(v.contribution_12m), 0) as contribution_12m_cny,
    round(avg(r.churn_probability), 4) as avg_churn_probability,
    round(sum(l.expected_ltv_cny), 0) as expected_ltv_cny
from crm.value_tier_history as v
left join crm.churn_risk_history as r using (as_of_date, customer_id)
left join crm.lifetime_value_history as l using (as_of_date, customer_id)
where v.as_of_date = getvariable('as_of')
group by all
order by v.tier;
