-- Moves between lifecycle stages into the report date's month-end (new: not a customer a month before).
select
    coalesce(previous_stage, 'new') as from_stage,
    stage as to_stage,
    count(*) as customers
from crm.customer_lifecycle_history
where as_of_date = $as_of
group by all
order by customers desc
