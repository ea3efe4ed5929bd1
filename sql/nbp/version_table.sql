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

comment on table marts.next_best_product_model is 'One row per trained next-best-product model version: training and validation windows and out-of-time hit rates against the popularity baseline.';
comment on column marts.next_best_product_model.model_version is 'Version id (business date and training time).';
comment on column marts.next_best_product_model.trained_at is 'When it was trained (UTC).';
comment on column marts.next_best_product_model.trained_as_of is 'Business date of the night that trained it.';
comment on column marts.next_best_product_model.train_from is 'First month-end trained on.';
comment on column marts.next_best_product_model.train_to is 'Last month-end trained on.';
comment on column marts.next_best_product_model.validate_from is 'First month-end scored out of time.';
comment on column marts.next_best_product_model.validate_to is 'Last month-end scored out of time.';
comment on column marts.next_best_product_model.n_train is 'Training rows (customer x product taken, and sampled customers who took nothing).';
comment on column marts.next_best_product_model.customers_taking is 'Customers of the validation month-ends who took a product they did not hold within 90 days.';
comment on column marts.next_best_product_model.hit_rate_at_1 is 'Share of those whose top product is one they took.';
comment on column marts.next_best_product_model.hit_rate_at_3 is 'Share of those whose top three products include one they took.';
comment on column marts.next_best_product_model.baseline_hit_rate_at_1 is 'The same for the popularity rule (most often taken next by holders of the same product set).';
comment on column marts.next_best_product_model.baseline_hit_rate_at_3 is 'The same at three for the popularity rule.';
comment on column marts.next_best_product_model.fit_seconds is 'Seconds to build the snapshots, fit and validate.';
comment on column marts.next_best_product_model.model_path is 'Where the fitted model is saved (beside the work file).';
