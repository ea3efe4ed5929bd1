-- Moves between the last two month-ends as computed on the report date; a customer without a tier at the
-- earlier month-end (new, or no contribution then) shows as NEW.
select
    coalesce(from_tier, 'NEW') as from_tier,
    to_tier,
    count(*) as customers
from crm.tier_migration
where as_of_date = $as_of
group by all
order by from_tier, to_tier
