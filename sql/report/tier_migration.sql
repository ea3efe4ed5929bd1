-- Moves between the last two month-ends as computed on the report date.
select from_tier, to_tier, count(*) as customers
from crm.tier_migration
where as_of_date = $as_of
group by all
order by from_tier, to_tier
