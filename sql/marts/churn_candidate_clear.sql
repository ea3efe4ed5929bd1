-- Forget a candidate of night as_of left by an earlier attempt at that night (e.g. one its check rejected).
delete from marts.churn_model_candidate
where as_of_date = $as_of;
