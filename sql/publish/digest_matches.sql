-- Whether the work file's rows of a published date are still those the analyst file being built (pub) holds
-- for it: the digest recorded when that date was swapped in, by the run the analyst file names for the date.
-- A rerun that rewrote the date's rows and did not publish, or one that published but did not record, differs.
select count(*) > 0 as same_rows
from marts.publication_digest as d
inner join pub.crm.publication as p on d.as_of_date = p.as_of_date and d.run_id = p.run_id
where d.as_of_date = $day::date and d.table_name = $table_name and d.digest = $digest
