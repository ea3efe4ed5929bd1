-- Customers and profit per tier at as_of, with each tier's lowest contribution (the threshold it took).
select
    tier,
    count(*) as customers,
    sum(contribution_12m) as profit_12m,
    count(*) / sum(count(*)) over () as share_customers,
    sum(contribution_12m) / nullif(sum(sum(contribution_12m)) over (), 0) as share_profit,
    min(contribution_12m) as min_contribution_12m
from marts.value_tier_history
where as_of_date = $as_of
group by tier
order by case tier when 'TOP' then 1 when 'GOLD' then 2 when 'GENERAL' then 3 else 4 end
