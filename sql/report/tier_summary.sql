-- Customers and profit by tier at the report date (the 80/20 picture).
select
    tier,
    count(*) as customers,
    sum(contribution_12m) as profit_12m,
    count(*) / sum(count(*)) over () as share_customers,
    sum(contribution_12m) / sum(sum(contribution_12m)) over () as share_profit
from crm.value_tier_history
where as_of_date = $as_of
group by tier
order by case tier when 'TOP' then 1 when 'GOLD' then 2 when 'GENERAL' then 3 else 4 end
