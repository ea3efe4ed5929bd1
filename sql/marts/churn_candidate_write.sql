-- Tonight's newly trained churn model, not yet a version: its blocking check has not run.
delete from marts.churn_model_candidate where as_of_date = $as_of;
insert into marts.churn_model_candidate values ($as_of, $model_version, $trained_at, $auc, $model_path);
