-- Last night's scores and drivers of the customers whose features tonight were computed as of the same
-- date, by the same model version: the same inputs give the same score, so they are carried, re-dated.
select r.* replace ($as_of::date as as_of_date)
from marts.churn_risk_history as r
join marts.churn_features as f
    on
        f.as_of_date = $as_of and f.in_population and f.customer_id = r.customer_id
        and f.computed_as_of = r.computed_as_of
where r.as_of_date = $previous and r.model_version = $model_version
order by r.customer_id
