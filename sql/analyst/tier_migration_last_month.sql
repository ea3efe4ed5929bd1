-- How customers moved between tiers from the month-end before last to the last month-end.
select
    from_tier,
    to_tier,
    count(*) as customers
from crm.tier_migration
where as_of_date = (select max(as_of_date) from crm.publication)
group by all
order by from_tier, to_tier;
