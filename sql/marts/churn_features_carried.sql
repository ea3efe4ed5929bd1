-- Last night's churn features of the customers whose computation date did not move tonight (temp table
-- feature_dates, sql/marts/churn_feature_dates.sql): nothing they read changed, so they are carried,
-- re-dated to tonight and still saying as of which date they were computed.
select f.* replace ($as_of::date as as_of_date)
from marts.churn_features as f
join feature_dates as d on d.customer_id = f.customer_id and d.computed_as_of = f.computed_as_of
where f.as_of_date = $previous
order by f.customer_id
