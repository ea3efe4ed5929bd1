-- Keys whose work-file row tonight ($day) differs from their row of the previous published date ($previous),
-- whose published version is still what the analyst file holds on $day (digest_matches.sql): changed, new
-- or gone. Raw rows compare, so only these keys' rows are scrubbed; equal raw rows scrub alike. A key whose
-- rows differ but scrub alike is cut and merged back by versions_merge.sql (same stored form).
create or replace temp table version_changed as
with previous as (
    select
        ${keys},
        row(${vals}) as body
    from ${source}
    where as_of_date = $previous::date
),

tonight as (
    select
        ${keys},
        row(${vals}) as body
    from ${source}
    where as_of_date = $day::date
)

select ${keys}
from previous
full outer join tonight using (${keys})
where previous.body is distinct from tonight.body;
