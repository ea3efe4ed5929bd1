-- Tonight's newly trained churn model, not yet a version: its blocking check has not run.
select
    $as_of::date as as_of_date,
    $model_version::varchar as model_version,
    $trained_at::timestamp as trained_at,
    $auc::double as auc,
    $model_path::varchar as model_path
