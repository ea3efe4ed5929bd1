-- The customers of tonight's map in one band of a hash of the id (per million), at each of $dates: the
-- points of a training snapshot when every customer would be more rows than training uses. Whole
-- customers, the same ones at every month-end; bands add up, so a second band widens the sample without
-- a repeat.
create or replace temp table feature_points as
select c.customer_id, d.as_of_date
from (
    select distinct customer_id
    from identity.customer_map
    where hash(customer_id) % 1000000 >= $lo and hash(customer_id) % 1000000 < $hi
) as c
cross join (select unnest($dates) as as_of_date) as d;
