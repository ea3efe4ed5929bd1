-- Customers per tier move recorded on as_of.
select
    move,
    count(*) as customers
from marts.tier_migration
where as_of_date = $as_of
group by move
