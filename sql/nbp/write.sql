-- Tonight's propensities (registered frame nbp_tonight) into the history; a rerun replaces the date.
create schema if not exists marts;

create table if not exists marts.next_best_product_history (
    as_of_date date,
    customer_id varchar,
    product varchar,
    propensity double,
    rank integer,
    horizon_days integer,
    model_version varchar
);
create or replace temp table nbp_rows as
select
    $as_of::date as as_of_date,
    customer_id,
    product,
    propensity,
    rank,
    $horizon_days::integer as horizon_days,
    model_version
from nbp_tonight;
