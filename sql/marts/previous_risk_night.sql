-- The latest night before as_of with churn scores.
select max(as_of_date)::date from marts.churn_risk_history
where as_of_date < $as_of
