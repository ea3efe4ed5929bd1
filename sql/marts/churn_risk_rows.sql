-- Tonight's churn scores (registered frame risk_tonight) as rows of marts.churn_risk_history.
select
    as_of_date::date as as_of_date,
    customer_id,
    churn_probability,
    horizon_days::integer as horizon_days,
    risk_band,
    driver_1,
    driver_2,
    driver_3,
    model_version,
    computed_as_of::date as computed_as_of
from risk_tonight
