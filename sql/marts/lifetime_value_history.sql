-- Typed up front, so a night that publishes no lifetime value (too little history) still creates it.
create schema if not exists marts;
create table if not exists marts.lifetime_value_history (
    as_of_date date,
    customer_id varchar,
    expected_ltv_cny double,
    horizon_months bigint,
    discount_rate double,
    p_alive double,
    expected_txns_12m double,
    expected_monthly_contribution double,
    survival_12m double,
    expected_value_12m_cny double,
    churn_probability_90d double,
    ltv_if_retained_cny double
);
-- added 2026-11-28: warehouses created before keep their history, NULL in the new column
alter table marts.lifetime_value_history add column if not exists ltv_if_retained_cny double;
-- added for incremental nights: when each value was computed, with which fitted population parameters
alter table marts.lifetime_value_history add column if not exists computed_as_of date;
alter table marts.lifetime_value_history add column if not exists params_fitted_on date;
-- added with the new-business part: what products opened later add to expected_value_12m_cny
alter table marts.lifetime_value_history add column if not exists new_business_12m_cny double;
