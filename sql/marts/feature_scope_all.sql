-- Every customer of tonight's map: the scope of a training snapshot (sql/marts/churn_features.sql).
create or replace temp table feature_scope as
select distinct customer_id from identity.customer_map;
