-- Tier moves between the last two complete month-ends (prev_month, last_month), both computed with the
-- same rule as tonight's tiers over the history in marts.contribution_monthly. Replaces as_of.
create or replace temp table tier_moves as
with prev as (
    select
        customer_id,
        tier
    from tiers_at($prev_month, $top_share, $gold_share)
),

curr as (
    select
        customer_id,
        tier
    from tiers_at($last_month, $top_share, $gold_share)
)

select
    $as_of::date as as_of_date,
    $last_month::date as month,
    c.customer_id,
    p.tier as from_tier,
    c.tier as to_tier,
    case
        when p.tier is null then 'NEW'
        when p.tier = c.tier then 'SAME'
        when
            (case c.tier when 'TOP' then 4 when 'GOLD' then 3 when 'GENERAL' then 2 else 1 end)
            > (case p.tier when 'TOP' then 4 when 'GOLD' then 3 when 'GENERAL' then 2 else 1 end) then 'UP'
        else 'DOWN'
    end as move
from curr as c
left join prev as p using (customer_id);

create table if not exists marts.tier_migration as select * from tier_moves limit 0;
