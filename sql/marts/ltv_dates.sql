-- Tonight's lifetime-value customers (tiered or scored on as_of) and the date each one's value is computed
-- as of: the date of its churn features (sql/marts/churn_feature_dates.sql), which moves whenever a
-- delivery changed anything the lifetime value reads of the customer (balances, loans, transactions,
-- accounts, identity) and at least weekly. Customers without features tonight are computed as of as_of.
create or replace temp table ltv_dates as
with customers as (
    select customer_id from marts.value_tier_history
    where as_of_date = $as_of
    union
    select customer_id from marts.churn_risk_history
    where as_of_date = $as_of
)

select
    c.customer_id,
    coalesce(f.computed_as_of::date, $as_of::date) as computed_as_of
from customers as c
left join marts.churn_features as f on f.as_of_date = $as_of and f.customer_id = c.customer_id;
