-- 1 when identity.customer_golden exists (else the first golden build is a full one).
select count(*) as n
from information_schema.tables
where table_schema = 'identity' and table_name = 'customer_golden'
