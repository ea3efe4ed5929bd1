-- Typed up front, so that the first night can look for a previous one.
create schema if not exists marts;
create table if not exists marts.product_holding (
    as_of_date date,
    customer_id varchar,
    products varchar,
    systems varchar,
    n_products integer,
    has_deposit boolean,
    has_card boolean,
    has_credit_card boolean,
    has_loan boolean,
    has_fx boolean,
    next_product varchar,
    next_product_rate double
);
