-- Versioned churn models and their calibration curves (rows written by models/churn.py).
create schema if not exists marts;
create table if not exists marts.churn_model_version (
    model_version varchar, trained_at timestamp, trained_as_of date, model_kind varchar,
    train_from date, train_to date, validate_from date, validate_to date, n_train bigint, n_validate bigint,
    auc double, brier double, ece double, top_decile_precision double, base_rate double, features json,
    model_path varchar
);
-- A model trained tonight waits here until its blocking quality check passes (models/churn_versions.py).
create table if not exists marts.churn_model_candidate (
    as_of_date date, model_version varchar, trained_at timestamp, auc double, model_path varchar
);
create table if not exists marts.churn_calibration (
    model_version varchar, mean_predicted double, observed_rate double, customers bigint
);
comment on table marts.churn_model_version is 'One row per churn model version: training and out-of-time validation windows and the validation metrics.';
comment on column marts.churn_model_version.model_version is 'Version id; churn_risk_history.model_version points here.';
comment on column marts.churn_model_version.trained_at is 'When the model was trained (UTC).';
comment on column marts.churn_model_version.trained_as_of is 'Business date of the run that trained it.';
comment on column marts.churn_model_version.model_kind is 'Estimator chosen by out-of-time AUC (gradient boosting or logistic regression), isotonic-calibrated.';
comment on column marts.churn_model_version.train_from is 'First labelled month-end in the training window.';
comment on column marts.churn_model_version.train_to is 'Last labelled month-end in the training window.';
comment on column marts.churn_model_version.validate_from is 'First month-end of the out-of-time validation window (after train_to).';
comment on column marts.churn_model_version.validate_to is 'Last month-end of the validation window (labels fully observed 90 days).';
comment on column marts.churn_model_version.n_train is 'Customer-dates in training.';
comment on column marts.churn_model_version.n_validate is 'Customer-dates in validation.';
comment on column marts.churn_model_version.auc is 'ROC AUC on the validation window.';
comment on column marts.churn_model_version.brier is 'Brier score on the validation window (lower is better).';
comment on column marts.churn_model_version.ece is 'Expected calibration error on the validation window (10 equal-count bins).';
comment on column marts.churn_model_version.top_decile_precision is 'Share of churners among the 10% highest-scored validation customers.';
comment on column marts.churn_model_version.base_rate is 'Observed churn rate in the validation window.';
comment on column marts.churn_model_version.features is 'Features, estimator candidates and calibration method (JSON).';
comment on column marts.churn_model_version.model_path is 'Where the fitted model is stored beside the work file.';
comment on table marts.churn_calibration is 'Calibration curve of each model version on its validation window: mean predicted vs observed churn rate per bin.';
comment on column marts.churn_calibration.model_version is 'Model version (churn_model_version.model_version).';
comment on column marts.churn_calibration.mean_predicted is 'Mean predicted 90-day churn probability in the bin.';
comment on column marts.churn_calibration.observed_rate is 'Observed 90-day churn rate in the bin.';
comment on column marts.churn_calibration.customers is 'Customer-dates in the bin.';
