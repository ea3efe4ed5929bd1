-- Calibration curve of the model version that scored the report date (from its validation window).
select
    mean_predicted,
    observed_rate,
    customers
from crm.churn_calibration
where
    model_version = (
        select any_value(model_version) from crm.churn_risk_history
        where as_of_date = $as_of
    )
order by mean_predicted
