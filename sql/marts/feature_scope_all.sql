-- Every customer of tonight's map at each of $dates: the points of a training snapshot
-- (sql/marts/churn_features.sql).
create or replace temp table feature_points as
select
    c.customer_id,
    d.as_of_date
from (select distinct customer_id from identity.customer_map) as c
cross join (select unnest($dates) as as_of_date) as d;
