-- Tier moves between the last two complete month-ends (prev_month, last_month), both computed with the
-- same rule as tonight's tiers over the history in marts.contribution_monthly. Replaces as_of.
create or replace temp table tier_moves as
with prev as (select customer_id, tier from tiers_at($prev_month, $top_share, $gold_share)),
curr as (select customer_id, tier from tiers_at($last_month, $top_share, $gold_share))

select
    $as_of::date as as_of_date,
    $last_month::date as month,
    c.customer_id,
    p.tier as from_tier,
    c.tier as to_tier,
    case
        when p.tier is null then 'NEW'
        when p.tier = c.tier then 'SAME'
        when (case c.tier when 'TOP' then 4 when 'GOLD' then 3 when 'GENERAL' then 2 else 1 end)
           > (case p.tier when 'TOP' then 4 when 'GOLD' then 3 when 'GENERAL' then 2 else 1 end) then 'UP'
        else 'DOWN'
    end as move
from curr as c
left join prev as p using (customer_id);

create table if not exists marts.tier_migration as select * from tier_moves limit 0;

comment on table marts.tier_migration is 'Tier moves per customer between the last two complete month-ends, as computed on each business date.';
comment on column marts.tier_migration.as_of_date is 'Business date on which the moves were computed.';
comment on column marts.tier_migration.month is 'The later month-end of the pair (the earlier one is the month-end before it).';
comment on column marts.tier_migration.customer_id is 'Resolved customer.';
comment on column marts.tier_migration.from_tier is 'Tier at the earlier month-end (NULL: no contribution then).';
comment on column marts.tier_migration.to_tier is 'Tier at the later month-end.';
comment on column marts.tier_migration.move is 'UP, DOWN or SAME (order TOP > GOLD > GENERAL > LOW), NEW when the customer had no tier at the earlier month-end.';
