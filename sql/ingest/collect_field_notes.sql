-- Staged rows of the current file with nulled fields -> one quarantine note per field ('field_nulled').
-- A row rejected as a whole lists its field failures in its own reason instead (collect_rejects).
insert into new_rejected
select
    $file,
    __line as line,
    split_part(note, ':', 1) as field,
    note as reason,
    __raw as raw_line,
    'field_nulled' as action
from (select
    __line,
    __raw,
    unnest(__nulled) as note
from parsed
where len(__errors) = 0 and len(__nulled) > 0);
