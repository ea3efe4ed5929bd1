-- One order-free digest per month of an undated monthly table's work rows (contribution_monthly,
-- customer_lifecycle_monthly): a later night compares them to tell which months moved (months_changed.sql).
insert into publication_digest_tonight (table_name, month, digest)
select
    $table_name::varchar as table_name,
    month,
    sum(hash(${cols}))::hugeint as digest
from ${source}
group by month;
