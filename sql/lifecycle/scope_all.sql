-- Every customer of tonight's map: lifecycle rows recomputed for everyone (temp table lifecycle_scope).
create or replace temp table lifecycle_scope as select distinct customer_id from identity.customer_map;
