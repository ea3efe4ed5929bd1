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
