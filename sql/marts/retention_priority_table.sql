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

comment on table marts.retention_priority_history is 'Whom to call first, for every business date: customers ranked by value at risk (90-day churn probability x lifetime value if retained), with churn drivers, value tier and relationship-manager branch.';
comment on column marts.retention_priority_history.as_of_date is 'Business date of this version.';
comment on column marts.retention_priority_history.priority_rank is '1 = the customer whose expected loss of lifetime value is largest; call from the top.';
comment on column marts.retention_priority_history.customer_id is 'Resolved customer (crm.customer.customer_id).';
comment on column marts.retention_priority_history.value_at_risk_cny is 'churn_probability x ltv_if_retained_cny (CNY): the lifetime value the bank expects to lose to churns within horizon_days.';
comment on column marts.retention_priority_history.churn_probability is 'Calibrated churn probability within horizon_days (crm.churn_risk).';
comment on column marts.retention_priority_history.horizon_days is 'Horizon of the churn probability, in days.';
comment on column marts.retention_priority_history.risk_band is 'HIGH, MEDIUM or LOW churn risk (crm.churn_risk).';
comment on column marts.retention_priority_history.expected_ltv_cny is 'Expected lifetime value (CNY, crm.lifetime_value), churn risk included.';
comment on column marts.retention_priority_history.ltv_if_retained_cny is 'Lifetime value if the customer stays (CNY, crm.lifetime_value): what a successful retention call keeps; only customers with a positive value are listed.';
comment on column marts.retention_priority_history.value_tier is 'Value tier on the same date (TOP, GOLD, GENERAL, LOW; crm.value_tier).';
comment on column marts.retention_priority_history.branch is 'Relationship-manager branch: the open branch of the customer''s earliest deposit record (NULL: no deposit record, as only the deposit system delivers a branch).';
comment on column marts.retention_priority_history.branch_rank is 'Rank within the branch (1 = first to call at that branch); customers without a branch are ranked together.';
comment on column marts.retention_priority_history.driver_1 is 'Feature that raises this customer''s churn risk most, in words (crm.churn_risk).';
comment on column marts.retention_priority_history.driver_2 is 'Second churn driver.';
comment on column marts.retention_priority_history.driver_3 is 'Third churn driver.';
comment on column marts.retention_priority_history.cumulative_share is 'Share of the total value at risk held by the customers ranked up to this one (the top 5% of the list hold this much at rank n/20).';
