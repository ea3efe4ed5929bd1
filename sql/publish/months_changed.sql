-- The digests recorded for the build the copied analyst file comes from (its date, run and publication time),
-- and the months whose work rows tonight digest otherwise: changed, new or gone.
create or replace temp table month_recorded as
select
    month,
    digest
from marts.publication_digest
where
    table_name = $table_name
    and as_of_date = $day::date
    and run_id = $run_id
    and built_at = $built_at::timestamp
    and month is not null;

create or replace temp table month_changed as
select coalesce(t.month, r.month) as month
from (
    select
        month,
        digest
    from publication_digest_tonight
    where table_name = $table_name
) as t
full outer join month_recorded as r on t.month = r.month
where t.digest is distinct from r.digest;
