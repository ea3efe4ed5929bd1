-- Versioned churn models and their calibration curves (rows written by models/churn/storage.py).
create schema if not exists marts;
create table if not exists marts.churn_model_version (
    model_version varchar, trained_at timestamp, trained_as_of date, model_kind varchar,
    train_from date, train_to date, validate_from date, validate_to date, n_train bigint, n_validate bigint,
    auc double, brier double, ece double, top_decile_precision double, base_rate double, features json,
    model_path varchar
);
-- A model trained tonight waits here until its blocking quality check passes (models/churn/versions.py).
create table if not exists marts.churn_model_candidate (
    as_of_date date, model_version varchar, trained_at timestamp, auc double, model_path varchar
);
create table if not exists marts.churn_calibration (
    model_version varchar, mean_predicted double, observed_rate double, customers bigint
);
