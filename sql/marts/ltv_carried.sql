-- Last night's lifetime values of the customers of temp table ltv_dates whose value tonight would be
-- computed as of the same date, with the same population parameters, horizon and discount rate, and whose
-- churn score is last night's (same features date and model version, or outside the scored population
-- both nights): the same inputs give the same value, so it is carried, re-dated.
select l.* replace ($as_of::date as as_of_date)
from marts.lifetime_value_history as l
join ltv_dates as d on d.customer_id = l.customer_id and d.computed_as_of = l.computed_as_of
left join marts.churn_risk_history as r0 on r0.as_of_date = $previous and r0.customer_id = l.customer_id
left join marts.churn_risk_history as r1 on r1.as_of_date = $as_of and r1.customer_id = l.customer_id
where
    l.as_of_date = $previous
    and l.params_fitted_on = $fitted_on
    and l.horizon_months = $horizon_months
    and l.discount_rate = $discount_rate
    and (r0.customer_id is null) = (r1.customer_id is null)
    and (r1.customer_id is null or (r0.computed_as_of = r1.computed_as_of and r0.model_version = r1.model_version))
order by l.customer_id
