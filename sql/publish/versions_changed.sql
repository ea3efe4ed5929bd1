-- Keys whose row tonight ($day) differs from the version stored for that date: changed, new or gone.
-- Only these keys' versions are rewritten, so a night costs what changed (EXCEPT compares NULLs as equal).
create or replace temp table version_changed as
with stored as (
    select ${cols} from ${versions}
    where valid_from <= $day::date and (valid_to is null or valid_to > $day::date)
),

differ as (
    (select ${cols} from stored except select ${cols} from ${rows})
    union all
    (select ${cols} from ${rows} except select ${cols} from stored)
)

select distinct ${keys} from differ;
