-- Rows of the current file that failed parsing or validation -> this delivery's quarantine.
-- field = the first failing field; reason = every failure of the row.
insert into new_rejected
select
    $file,
    __line as line,
    split_part(__errors[1], ':', 1) as field,
    array_to_string(__errors, '; ') as reason,
    __raw as raw_line,
    'row_rejected' as action
from parsed
where len(__errors) > 0;
