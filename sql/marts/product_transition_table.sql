-- Typed up front, so that the latest fit can be looked up before the first one.
create schema if not exists marts;
create table if not exists marts.product_transition (
    fitted_on date, product_set varchar, next_product varchar, next_product_rate double
);
