-- Replace the assignments of every record of the customers touched tonight (all records on a full night).
delete from identity.customer_map
where (system, source_key) in (select (system, source_key) from new_customer_map);

insert into identity.customer_map by name select * from new_customer_map;
