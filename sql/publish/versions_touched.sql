-- The stored versions of the changed keys next to $day: the one covering it, the one ending at it and the one
-- starting at the next published date ($next); versions_pieces.sql cuts them around tonight's row.
create or replace temp table version_touched as
select
    v.rowid as stored_row,
    v.*
from ${versions} as v
semi join version_changed using (${keys})
where
    (v.valid_from <= $day::date and (v.valid_to is null or v.valid_to > $day::date))
    or v.valid_to = $day::date
    or v.valid_from = $next::date;
