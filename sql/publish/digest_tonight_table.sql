-- Tonight's digests of the versioned histories (one row per history), filled while the analyst file is
-- built and recorded only once it is swapped in (sql/publish/publication_digest.sql).
create temp table if not exists publication_digest_tonight (
    table_name varchar,
    digest hugeint
);
