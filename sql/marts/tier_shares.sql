-- Each tier's share of the customers tiered on as_of (the tier-share drift check reads it).
select
    tier,
    count(*) / sum(count(*)) over () as share
from marts.value_tier_history
where as_of_date = $as_of
group by tier
