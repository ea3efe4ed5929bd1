-- The published next-best-product history; computed_as_of was added with the incremental nights (older
-- warehouses get it, empty for their old rows).
create schema if not exists marts;

create table if not exists marts.next_best_product_history (
    as_of_date date,
    customer_id varchar,
    product varchar,
    propensity double,
    rank integer,
    horizon_days integer,
    model_version varchar,
    computed_as_of date
);

alter table marts.next_best_product_history add column if not exists computed_as_of date;
