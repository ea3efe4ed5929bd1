-- An activity file names each txn_id once: a later line repeating it is quarantined (it would
-- count twice downstream), the first one kept.
update parsed set __errors = list_append(parsed.__errors, 'txn_id: duplicate key txn_id in file')
from (
    select __line from (
        select __line, row_number() over (partition by txn_id order by __line) as n
        from parsed where len(__errors) = 0
    ) where n > 1
) d
where parsed.__line = d.__line;
