-- 1 when marts.customer_history exists (published dates whose hashes a key change must redo).
select count(*) as n
from information_schema.tables
where table_schema = 'marts' and table_name = 'customer_history'
