-- Replace the golden records in scope (see golden_scope.sql) with the freshly built ones.
create table if not exists identity.customer_golden as select * from golden_new limit 0;

delete from identity.customer_golden
where customer_id in (select customer_id from golden_scope);

insert into identity.customer_golden select * from golden_new;
