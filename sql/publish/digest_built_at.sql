-- The publication time of tonight's row in the analyst file being built: with the run and date it names the
-- build whose digests a later night may trust for that file (sql/publish/built_from.sql).
update publication_digest_tonight
set built_at = (
    select p.published_at from pub.crm.publication as p
    where p.as_of_date = $as_of::date
);
