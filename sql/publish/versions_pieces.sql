-- The changed keys' timeline around $day as pieces [valid_from, valid_to): the touched versions cut at $day
-- and at $next ($day's next published date, NULL for the latest) with the part between dropped, plus
-- tonight's row for [$day, $next). A rerun of a past date thus replaces only that date's version.
create or replace temp table version_piece as
select
    ${cols},
    valid_from,
    least(valid_to, $day::date) as valid_to
from version_touched
where valid_from < $day::date
union all
select
    ${cols},
    greatest(valid_from, $next::date) as valid_from,
    valid_to
from version_touched
where $next::date is not null and (valid_to is null or valid_to > $next::date)
union all
select
    ${cols},
    $day::date as valid_from,
    $next::date as valid_to
from ${rows}
semi join version_changed using (${keys});
