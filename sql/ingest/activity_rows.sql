-- This delivery's clean rows of one activity file (the temp table named by $source, e.g. kept_card_txn:
-- its parsed rows, models/ingest/load.py) as rows of its staging table, dated with the delivery.
-- Columns named __* are the parse's bookkeeping, not data.
select
    columns(lambda c: not starts_with(c, '__')),
    $business_date::date as delivery_date
from query_table($source)
where len(__errors) = 0 and not __resent
