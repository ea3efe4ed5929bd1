-- A file names each row's key once (${keys}: its target's key columns, models/ingest/layout.py ROW_KEY):
-- a later line repeating it is quarantined with $reason (it would count twice downstream), the first one kept.
-- Keys whose hash is held twice are found first (an aggregate over hashes), so only their rows are ordered
-- by line; the window still partitions by the keys themselves (a NULL part included, as before), so a hash
-- collision only adds rows to order.
update parsed set __errors = list_append(parsed.__errors, $reason)
from (
    select __line from (
        select
            __line,
            row_number() over (partition by ${keys} order by __line) as n
        from parsed
        where
            len(__errors) = 0
            and hash(${keys}) in (
                select hash(${keys}) as h from parsed
                where len(__errors) = 0
                group by h
                having count(*) > 1
            )
    )
    where n > 1
) as d
where parsed.__line = d.__line;
