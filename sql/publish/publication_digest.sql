-- The digests of tonight's rows (temp table publication_digest_tonight, left by the build of the analyst file),
-- recorded with the run that swapped that file in.
select
    $as_of::date as as_of_date,
    $run_id::varchar as run_id,
    table_name,
    month,
    digest,
    built_at
from publication_digest_tonight
