-- A file names each row's key once (${keys}: its target's key columns, models/ingest/layout.py ROW_KEY):
-- a later line repeating it is quarantined with $reason (it would count twice downstream), the first one kept.
update parsed set __errors = list_append(parsed.__errors, $reason)
from (
    select __line from (
        select
            __line,
            row_number() over (partition by ${keys} order by __line) as n
        from parsed
        where len(__errors) = 0
    )
    where n > 1
) as d
where parsed.__line = d.__line;
