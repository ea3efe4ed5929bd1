-- The churn model trained for night as_of, if any (model_version, auc, model_path).
select
    model_version,
    auc,
    model_path
from marts.churn_model_candidate
where as_of_date = $as_of
order by trained_at desc
limit 1
