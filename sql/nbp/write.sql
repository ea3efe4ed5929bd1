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

comment on table marts.next_best_product_history is 'Propensity per customer and product not held to take the product within the horizon, for every business date.';
comment on column marts.next_best_product_history.as_of_date is 'Business date of this version.';
comment on column marts.next_best_product_history.customer_id is 'Resolved customer.';
comment on column marts.next_best_product_history.product is 'Product not held on the date: CURRENT, TIME, NOTICE, DEBIT, CREDIT, MORTGAGE, AUTO, CONSUMER, BUSINESS or FX (a first deal in a year).';
comment on column marts.next_best_product_history.propensity is 'Model probability that the customer takes the product within horizon_days (trained on past month-ends).';
comment on column marts.next_best_product_history.rank is '1 = the product to offer first, by propensity.';
comment on column marts.next_best_product_history.horizon_days is 'Horizon of the propensity in days (90).';
comment on column marts.next_best_product_history.model_version is 'Model version (crm.next_best_product_model).';
