-- Cumulative share of profit held by the top x% of customers (Lorenz-style curve, 20 points).
with ranked as (
    select
        contribution_12m,
        row_number() over (order by contribution_12m desc) as rank,
        count(*) over () as n,
        sum(greatest(contribution_12m, 0)) over () as positive_total
    from crm.value_tier_history
    where as_of_date = $as_of
),

cumulative as (
    select
        rank / n as share_customers,
        sum(greatest(contribution_12m, 0)) over (order by rank) / nullif(positive_total, 0) as share_profit
    from ranked
)

select
    ceil(share_customers * 20) / 20 as share_customers,
    max(share_profit) as share_profit
from cumulative
group by 1
order by 1
