-- Keys whose row tonight ($day) differs from the version stored for that date: changed, new or gone.
-- Only these keys' versions are rewritten, so a night costs what changed. Rows compare as one struct
-- (NULLs equal); a key missing on one side has no struct there, which differs too.
create or replace temp table version_changed as
with stored as (
    select
        ${keys},
        row(${vals}) as body
    from ${versions}
    where valid_from <= $day::date and (valid_to is null or valid_to > $day::date)
),

tonight as (
    select
        ${keys},
        row(${vals}) as body
    from ${rows}
)

select ${keys}
from stored
full outer join tonight using (${keys})
where stored.body is distinct from tonight.body;
