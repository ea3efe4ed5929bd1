-- Whether a churn model version is recorded.
select count(*) > 0 from marts.churn_model_version
where model_version = $model_version
