-- The latest night before as_of with churn features.
select max(as_of_date)::date from marts.churn_features
where as_of_date < $as_of
