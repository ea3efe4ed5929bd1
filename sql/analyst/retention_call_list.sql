-- Each branch's first five calls: the customers whose churn would cost the most lifetime value, with why
-- they may leave.
select
    p.branch,
    p.branch_rank,
    p.customer_id,
    c.name,
    round(p.value_at_risk_cny, 0) as value_at_risk_cny,
    round(p.churn_probability, 3) as churn_probability,
    round(p.expected_ltv_cny, 0) as expected_ltv_cny,
    p.value_tier,
    p.driver_1,
    p.driver_2
from crm.retention_priority as p
join crm.customer as c using (customer_id)
where p.branch_rank <= 5
order by p.branch nulls last, p.branch_rank;
