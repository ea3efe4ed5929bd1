-- One published date's rows of a work-file history ($day): their count, distinct keys (versions need one row
-- per key and date) and an order-free digest, so a later night can tell whether they are still the rows its
-- analyst-file version was built from (publication_digest, digest_matches.sql).
select
    count(*) as night_rows,
    count(distinct row(${keys})) as night_keys,
    coalesce(sum(hash(${cols})), 0)::hugeint as digest
from ${source}
where as_of_date = $day::date
