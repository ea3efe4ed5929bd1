-- The current churn model: the latest version recorded (a version is recorded once its check passed).
select
    model_version,
    auc,
    model_path,
    trained_as_of,
    model_kind
from marts.churn_model_version
order by trained_at desc
limit 1
