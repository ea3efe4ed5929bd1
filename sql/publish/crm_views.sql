-- Latest-version views analysts query. Each reads its *_history table at the latest published date,
-- so a view and its history always agree. Comments: models/catalogue.yaml.
create or replace view crm.customer as
select * from crm.customer_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.customer_source as
select * from crm.customer_source_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.value_tier as
select * from crm.value_tier_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.churn_risk as
select * from crm.churn_risk_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.lifetime_value as
select * from crm.lifetime_value_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.retention_priority as
select * from crm.retention_priority_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.product_holding as
select * from crm.product_holding_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.data_quality as
select * from crm.data_quality_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.customer_lifecycle as
select * from crm.customer_lifecycle_history
where as_of_date = (select max(as_of_date) from crm.publication);

create or replace view crm.customer_lifecycle_transition as
select
    month,
    coalesce(previous_stage, 'new') as from_stage,
    stage as to_stage,
    count(*) as customers
from crm.customer_lifecycle_monthly
group by all;

create or replace view crm.next_best_product as
select * from crm.next_best_product_history
where as_of_date = (select max(as_of_date) from crm.publication);
