-- Customers per move from last night's stage ('new': none) to the stage of night as_of, commonest first.
select
    coalesce(previous_stage, 'new') as from_stage,
    stage,
    count(*) as customers
from marts.customer_lifecycle_history
where as_of_date = $as_of
group by all
order by customers desc
