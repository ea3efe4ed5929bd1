-- Tonight's re-scored propensities (registered frame nbp_tonight) as history rows; the caller replaces
-- the date with them and adds the carried customers (sql/nbp/carry.sql).
create or replace temp table nbp_rows as
select
    $as_of::date as as_of_date,
    customer_id,
    product,
    propensity,
    rank,
    $horizon_days::integer as horizon_days,
    model_version,
    computed_as_of::date as computed_as_of
from nbp_tonight;
