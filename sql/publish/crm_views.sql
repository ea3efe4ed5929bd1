-- Latest-version views analysts query. Each reads its *_history table at the latest published date,
-- so a view and its history always agree; column comments are copied from the history tables.
create or replace view crm.customer as
select * from crm.customer_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.customer is 'The single customer view: one row per resolved person at the latest published business date. ID and phone numbers appear only masked or as keyed hashes.';

create or replace view crm.customer_source as
select * from crm.customer_source_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.customer_source is 'One row per source party record (system, source_key) at the latest published date: the customer it belongs to and how it was matched.';

create or replace view crm.value_tier as
select * from crm.value_tier_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.value_tier is 'Value tier per customer (TOP, GOLD, GENERAL, LOW) at the latest published date, with the trailing 12-month profit contribution behind it.';

create or replace view crm.churn_risk as
select * from crm.churn_risk_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.churn_risk is 'Calibrated probability that the customer churns within the stated horizon (days), risk band and the three main drivers, at the latest published date.';

create or replace view crm.lifetime_value as
select * from crm.lifetime_value_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.lifetime_value is 'Expected lifetime value in CNY per customer over the stated horizon and discount rate, at the latest published date.';

create or replace view crm.retention_priority as
select * from crm.retention_priority_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.retention_priority is 'Whom to call first at the latest published date: customers ranked by value at risk (churn probability x lifetime value if retained), with churn drivers, value tier and relationship-manager branch.';

create or replace view crm.product_holding as
select * from crm.product_holding_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.product_holding is 'Products and systems each customer holds at the latest published date, with the next product customers like them most often take.';

create or replace view crm.data_quality as
select * from crm.data_quality_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.data_quality is 'Rows read, staged, quarantined and re-sent per delivered file for the latest published date.';

create or replace view crm.customer_lifecycle as
select * from crm.customer_lifecycle_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.customer_lifecycle is 'Lifecycle stage per customer (acquisition, growth, maturity, decline, lapsed) at the last month-end on or before the latest published date, with the stage a month earlier.';

create or replace view crm.customer_lifecycle_transition as
select
    month,
    coalesce(previous_stage, 'new') as from_stage,
    stage as to_stage,
    count(*) as customers
from crm.customer_lifecycle_monthly
group by all;
comment on view crm.customer_lifecycle_transition is 'Month-to-month lifecycle moves: customers per month-end, stage at the month-end before (new: not a customer then) and stage at this one.';
comment on column crm.customer_lifecycle_transition.month is 'The later month-end of the pair.';
comment on column crm.customer_lifecycle_transition.from_stage is 'Stage at the month-end before, or new.';
comment on column crm.customer_lifecycle_transition.to_stage is 'Stage at this month-end.';
comment on column crm.customer_lifecycle_transition.customers is 'Customers making this move.';

create or replace view crm.next_best_product as
select * from crm.next_best_product_history
where as_of_date = (select max(as_of_date) from crm.publication);
comment on view crm.next_best_product is 'Propensity of each customer to take each product they do not hold within 90 days, ranked (1 = offer first), at the latest published date.';
