-- Customers of tonight's map.
select count(distinct customer_id) from identity.customer_map;
