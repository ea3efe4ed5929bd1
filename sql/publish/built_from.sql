-- The build the analyst file being built was copied from: the latest publication row it holds.
select
    as_of_date,
    run_id,
    published_at
from pub.crm.publication
order by published_at desc
limit 1
