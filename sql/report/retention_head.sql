-- The head of the retention list on the report date (crm.retention_priority: whom to call first).
select
    priority_rank as rank,
    customer_id,
    value_tier,
    branch,
    value_at_risk_cny,
    churn_probability,
    ltv_if_retained_cny,
    driver_1
from crm.retention_priority_history
where as_of_date = $as_of
order by priority_rank
limit 15
