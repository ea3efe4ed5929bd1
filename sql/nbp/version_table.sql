-- One row per trained next-best-product model version, with its windows and out-of-time hit rates.
create schema if not exists marts;

create table if not exists marts.next_best_product_model (
    model_version varchar,
    trained_at timestamp,
    trained_as_of date,
    train_from date,
    train_to date,
    validate_from date,
    validate_to date,
    n_train integer,
    customers_taking integer,
    hit_rate_at_1 double,
    hit_rate_at_3 double,
    baseline_hit_rate_at_1 double,
    baseline_hit_rate_at_3 double,
    fit_seconds double,
    model_path varchar
);
