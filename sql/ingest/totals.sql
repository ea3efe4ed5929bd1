-- Reconciliation figures of the current activity file: per measure, the file's own figure (rows as the
-- CSV scan counted them; money sums over every row read, the parse's exact number of each delivered
-- value, parsable values only) and the parts of it quarantined and re-sent, in one pass over the parsed
-- rows. check_reconciliation.sql adds what staging holds.
insert into new_file_totals
select
    $file,
    'rows',
    $rows_read,
    (
        select count(*) from new_rejected
        where file = $file
    ),
    (
        select count(*) from parsed
        where __resent
    );

-- Each money column (${money}; $measures names the same columns, models/ingest/layout.py MONEY).
insert into new_file_totals
with parts as (
    select
        measure,
        sum(exact(figure)) as file_value,
        sum(exact(figure)) filter (where len(__errors) > 0) as quarantined_value,
        sum(exact(figure)) filter (where __resent) as resent_value
    from (unpivot (select
        ${money},
        __errors,
        __resent
    from parsed) on ${money} into name measure value figure)
    group by measure
)

select
    $file,
    m.measure,
    p.file_value,
    p.quarantined_value,
    p.resent_value
from (select unnest($measures) as measure) as m
left join parts as p on m.measure = p.measure;
