-- Tonight's carried scores: last night's rows of the customers whose churn features tonight were computed
-- as of the same date, by the same model version (the same inputs give the same score), re-dated and
-- copied table to table: a carried row is never read into Python nor rewritten by it.
insert into marts.churn_risk_history by name
select r.* replace ($as_of::date as as_of_date)
from marts.churn_risk_history as r
inner join marts.churn_features as f
    on
        f.as_of_date = $as_of and f.in_population and f.customer_id = r.customer_id
        and f.computed_as_of = r.computed_as_of
where r.as_of_date = $previous and r.model_version = $model_version
