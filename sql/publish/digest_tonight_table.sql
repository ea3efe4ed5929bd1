-- Tonight's digests (models/publish.py), filled while the analyst file is built and recorded only once it is
-- swapped in (sql/publish/publication_digest.sql): one row per versioned history (month NULL), one per month of
-- an undated monthly table; built_at: the publication time this build wrote into the analyst file.
create temp table if not exists publication_digest_tonight (
    table_name varchar,
    month date,
    digest hugeint,
    built_at timestamp
);
