-- A snapshot names each party once: a later line repeating a key is quarantined, the first one kept.
update parsed set __errors = list_append(parsed.__errors, 'source_key: duplicate key in snapshot')
from (
    select __line from (
        select __line, row_number() over (partition by system, source_key order by __line) as n
        from parsed where len(__errors) = 0
    ) where n > 1
) d
where parsed.__line = d.__line;
