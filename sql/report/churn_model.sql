-- The model version that scored the report date, with its validation metrics.
select *
from crm.churn_model_version
where model_version = (
    select any_value(model_version) from crm.churn_risk_history
    where as_of_date = $as_of
)
