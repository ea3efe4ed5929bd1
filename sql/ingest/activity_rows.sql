-- This delivery's clean rows of one activity target (the temp table named by $source, e.g. new_card_txn)
-- as rows of its staging table, dated with the delivery.
select
    *,
    $business_date::date as delivery_date
from query_table($source)
