-- Leave night as_of without a retention list (its churn risk or lifetime value is missing): a rerun of
-- the night must not keep an earlier attempt's rows.
delete from marts.retention_priority_history
where as_of_date = $as_of;
