-- Typed up front, so a night without churn risk or lifetime value still publishes the table (empty).
create schema if not exists marts;
create table if not exists marts.retention_priority_history (
    as_of_date date,
    priority_rank bigint,
    customer_id varchar,
    value_at_risk_cny double,
    churn_probability double,
    horizon_days integer,
    risk_band varchar,
    expected_ltv_cny double,
    ltv_if_retained_cny double,
    value_tier varchar,
    branch varchar,
    branch_rank bigint,
    driver_1 varchar,
    driver_2 varchar,
    driver_3 varchar,
    cumulative_share double
);
alter table marts.retention_priority_history add column if not exists ltv_if_retained_cny double;
