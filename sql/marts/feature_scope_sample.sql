-- The customers of tonight's map in a band of a hash of the id (per million), at each of $dates, each
-- date with its own band [$los[i], $his[i]): the points of training snapshots when every customer would
-- be more rows than training uses. Whole customers, the same ones at every month-end of a window; bands
-- add up, so a second band widens the sample without a repeat.
create or replace temp table feature_points as
select
    c.customer_id,
    d.as_of_date
from (select distinct
    customer_id,
    hash(customer_id) % 1000000 as h
from identity.customer_map) as c
join (
    select
        unnest($dates) as as_of_date,
        unnest($los) as lo,
        unnest($his) as hi
) as d on c.h >= d.lo and c.h < d.hi;
