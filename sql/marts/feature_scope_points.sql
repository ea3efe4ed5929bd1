-- The (customer, date) pairs of the registered frame feature_points_frame: a night computes each changed
-- customer at their own date (sql/marts/churn_feature_dates.sql), all dates in one query.
create or replace temp table feature_points as
select distinct
    customer_id::varchar as customer_id,
    as_of_date::date as as_of_date
from feature_points_frame;
