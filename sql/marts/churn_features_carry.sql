-- Tonight's carried churn features: last night's rows of the customers whose computation date did not move
-- (temp table feature_dates, sql/marts/churn_feature_dates.sql): nothing they read changed, so they are
-- re-dated to tonight, still saying as of which date they were computed, and copied table to table.
insert into marts.churn_features by name
select f.* replace ($as_of::date as as_of_date)
from marts.churn_features as f
inner join feature_dates as d on f.customer_id = d.customer_id and f.computed_as_of = d.computed_as_of
where f.as_of_date = $previous
