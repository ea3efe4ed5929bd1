-- Tonight's tiers (window ending with the month of as_of) into marts.value_tier_history, replacing as_of.
create schema if not exists marts;

create or replace temp table tier_tonight as
select
    $as_of::date as as_of_date,
    * exclude (servicing_12m)
from tiers_at($as_of, $top_share, $gold_share);

create table if not exists marts.value_tier_history as select * from tier_tonight limit 0;
