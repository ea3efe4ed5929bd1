-- The columns of marts.churn_features that lifetime value's dates read (sql/marts/ltv_dates.sql), for a
-- night before any churn features were stored; the churn stage writes the full table.
create schema if not exists marts;
create table if not exists marts.churn_features (as_of_date date, customer_id varchar, computed_as_of date);
